package ignored

// Tool is used only by files that are never built.
func Tool() string {
	return "ignored"
}
