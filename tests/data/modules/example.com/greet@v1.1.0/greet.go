package greet

// Hello returns a greeting.
func Hello() string {
	return "hello, world"
}

// Bye returns a farewell.
func Bye() string {
	return "bye"
}
