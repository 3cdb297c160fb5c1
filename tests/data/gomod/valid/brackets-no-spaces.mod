module example.com/brackets

go 1.21

retract [v1.0.0,v1.1.0]

retract (
	[v0.1.0,v0.2.0]
	[  v0.3.0  ,  v0.4.0  ]
)
