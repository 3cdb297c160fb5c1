package sub

// Name names the package, which v1.1.0 of example.com/moves moves into a module of its own.
func Name() string { return "sub" }
