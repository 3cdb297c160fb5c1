module example.com/excl120

go 1.20

exclude (
	example.com/x v1.10.0
	example.com/x v1.9.0
	example.com/x v1.2.0-rc.1
	example.com/w v2.0.0+incompatible
	example.com/x v1.2.0
)
