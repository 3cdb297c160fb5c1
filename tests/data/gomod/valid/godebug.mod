module example.com/godebugs

go 1.23

godebug default=go1.21

godebug (
	panicnil=1
	asynctimerchan=1 // keep old timers
	// http2 is broken behind our proxy
	http2client=0
	x509sha1=1
)
