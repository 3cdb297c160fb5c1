package deptest

import (
	"testing"

	"example.com/testdep"
)

func TestGreeting(t *testing.T) {
	if !testdep.Check(Greeting(), "hello") {
		t.Fatal(Greeting())
	}
}
