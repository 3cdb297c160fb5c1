package oldbase

// Name is the name of the base, as of v1.1.0.
func Name() string {
	return "base v1.1.0"
}
