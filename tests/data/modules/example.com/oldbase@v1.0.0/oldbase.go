package oldbase

// Name is the name of the base, as of v1.0.0.
func Name() string {
	return "base v1.0.0"
}
