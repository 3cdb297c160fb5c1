module example.com/retracted

go 1.22

// Published with a wrong value; use v1.1.0 or later.
retract v1.0.0
