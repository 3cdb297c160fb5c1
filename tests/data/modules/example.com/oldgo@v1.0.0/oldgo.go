package oldgo

import "example.com/oldbase"

// Hi names the base, from a module older than graph pruning (go 1.16).
func Hi() string {
	return "hi " + oldbase.Name()
}
