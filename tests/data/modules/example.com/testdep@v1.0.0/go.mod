module example.com/testdep

go 1.22
