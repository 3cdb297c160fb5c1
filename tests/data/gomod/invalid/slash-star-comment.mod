module example.com/m

/* not allowed */
go 1.21
