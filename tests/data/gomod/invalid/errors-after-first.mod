module example.com/m

go 1.21

require (
	example.com/a v1.0.0
  	example.com/b latest
)

foo

replace x => y
