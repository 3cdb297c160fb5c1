module example.com/lib/v2

go 1.22

require example.com/dep v1.4.2

retract (
	v2.0.0 // Published too early: missing API.
	// Contains a data race in the cache, see issue 42.
	[v2.1.0, v2.1.3]
	v2.3.1 // Accidentally tagged from a branch.
)
