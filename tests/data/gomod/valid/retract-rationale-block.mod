module example.com/rationale

go 1.21

// All of these were built with a broken release script.
retract (
	v1.0.1
	v1.0.2
)

retract (
	// Has a line comment before.
	v1.1.0 // and a suffix.
	v1.1.1
)
