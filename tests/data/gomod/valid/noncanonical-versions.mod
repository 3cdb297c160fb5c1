module example.com/noncanon

go 1.21

require (
	example.com/a v1
	example.com/b v1.2
	example.com/c v1.2.3+build.5
	example.com/d/v2 v2.0.0+meta
	example.com/e v4.1.0+incompatible
	example.com/f "v0.1"
)

exclude example.com/a v0

replace example.com/b v1.2 => example.com/b2 v1.3

retract v1
