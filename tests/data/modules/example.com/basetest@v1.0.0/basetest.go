package basetest

// Ready reports that the package loads.
func Ready() bool {
	return true
}
