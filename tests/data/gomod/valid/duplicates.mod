module example.com/dups

go 1.22

require (
	example.com/a v1.0.0
	example.com/a v1.1.0
)

require example.com/a v1.2.0

exclude (
	example.com/x v1.0.0
	example.com/x v1.0.0 // second copy
	example.com/x v1.1.0
)

exclude example.com/x v1.0.0

replace example.com/r => ./one

replace (
	example.com/r => ./two
	example.com/r v1.0.0 => ./three
	example.com/r v1.0.0 => ./four
)

tool (
	example.com/t
	example.com/t
)

tool example.com/t

ignore (
	./a
	./a
)

retract v1.0.0

retract v1.0.0 // retracted twice
