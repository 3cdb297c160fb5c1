module example.com/retractions

go 1.21

retract [v1.0.0, v1.0.5]

retract v1.2.0

retract (
	v0.9.0
	[v1.1.0, v1.1.9] // range one

	// a note about v1.3.x
	[v1.3.0,v1.3.2]
	[ v1.10.0 , v1.10.1 ]
	v1.9.0
	v1.0.0
	[v1.1.0, v1.1.2]
)

retract "v3.0.0"
