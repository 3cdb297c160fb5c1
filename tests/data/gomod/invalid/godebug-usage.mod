module example.com/m

godebug (
	ok=1
	notkeyvalue
)
