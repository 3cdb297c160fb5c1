module example.com/layout

go 1.22

// block one
require example.com/b v1.0.0

require (
	// comment on a
	example.com/a v1.0.0
)

require example.com/Upper v1.0.0 // indirect
