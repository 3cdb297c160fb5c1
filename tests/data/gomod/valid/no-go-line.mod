module example.com/nogoline

require (
	github.com/pkg/errors v0.9.1
	rsc.io/quote v1.5.2
)
