module example.com/empty

go 1.21

require ()

replace (
)

exclude (

)

require (
	// only a comment
)

tool ( )

retract (
)
