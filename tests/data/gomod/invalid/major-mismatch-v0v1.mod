module example.com/m

require (
	example.com/ok v1.0.0
	example.com/a v2.0.0
)
