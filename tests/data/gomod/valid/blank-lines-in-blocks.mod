module example.com/blanks

go 1.21

require (


	example.com/z v1.0.0



	example.com/y v1.0.0
	example.com/x v1.0.0

	// comment after blank

	example.com/w v1.0.0


)
