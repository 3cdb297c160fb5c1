module example.com/tools

go 1.24

tool example.com/z/cmd/z

tool (
	example.com/y/cmd/y
	example.com/a/cmd/a // first alphabetically
	// the code generator
	example.com/m/cmd/gen
)

require (
	example.com/a v1.0.0
	example.com/m v1.3.0
	example.com/y v0.4.0
	example.com/z v2.0.0+incompatible
)
