package util

import "example.com/greet"

// Shout returns the greeting in a loud voice.
func Shout() string {
	return greet.Hello() + "!"
}
