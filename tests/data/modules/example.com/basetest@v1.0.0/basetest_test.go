package basetest

import (
	"testing"

	"example.com/oldbase"
)

func TestReady(t *testing.T) {
	if !Ready() || oldbase.Name() == "" {
		t.Fatal("not ready")
	}
}
