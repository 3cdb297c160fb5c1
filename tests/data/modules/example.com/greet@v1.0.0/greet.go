package greet

// Hello returns a greeting.
func Hello() string {
	return "hello"
}
