package moves

// Name names the module.
func Name() string { return "moves" }
