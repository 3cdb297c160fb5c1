module example.com/collapse

go 1.21

// comment before a one-line block
require (
	// comment on the only line
	example.com/a v1.0.0 // indirect
)

require ( // lparen comment is dropped when the block collapses
	example.com/b v1.0.0
)

require (
	example.com/c v1.0.0
	// a comment before the paren keeps the block
)

replace (
	example.com/c => ./c
) // rparen comment
