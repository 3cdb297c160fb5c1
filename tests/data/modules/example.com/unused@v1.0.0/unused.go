package unused

// Nothing does nothing.
func Nothing() {}
