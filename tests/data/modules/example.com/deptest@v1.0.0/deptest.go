package deptest

import "example.com/greet"

// Greeting returns the greeting of example.com/greet.
func Greeting() string {
	return greet.Hello()
}
