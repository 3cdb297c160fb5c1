package winonly

// Name names the platform this package is for.
func Name() string {
	return "windows"
}
