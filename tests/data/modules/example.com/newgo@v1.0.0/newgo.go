package newgo

// Future needs a newer Go than any released one.
func Future() string {
	return "future"
}
