module example.com/deprsuffix // Deprecated: use example.com/other.

go 1.21
