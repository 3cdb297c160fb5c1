// Package everything uses every directive.
module example.com/everything

go 1.25.1

toolchain go1.26.1

godebug (
	default=go1.23
	gotypesalias=1
)

require (
	example.com/a v1.0.0
	example.com/b/v2 v2.1.0
)

require (
	example.com/c v0.5.0 // indirect
	example.com/d v1.0.0-rc.1 // indirect
)

exclude example.com/a v0.9.9

replace example.com/c => ./third_party/c

retract [v0.1.0, v0.2.0] // Early prototypes.

tool example.com/b/v2/cmd/bgen

ignore ./web/node_modules
