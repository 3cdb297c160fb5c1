module example.com/deptest

go 1.22

require (
	example.com/greet v1.0.0
	example.com/testdep v1.0.0
)
