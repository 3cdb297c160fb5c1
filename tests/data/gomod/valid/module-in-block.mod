// Deprecated: the block form is odd but legal.
module (
	example.com/blockmodule
)

go 1.21
