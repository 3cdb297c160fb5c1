package testdep

// Check reports whether got equals want.
func Check(got, want string) bool {
	return got == want
}
