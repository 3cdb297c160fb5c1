module example.com/crlf

go 1.21

require (
	example.com/b v1.0.0 // indirect
	example.com/a v1.0.0
)

// comment with CRLF
replace example.com/a => ./a
