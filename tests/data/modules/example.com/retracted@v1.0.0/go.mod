module example.com/retracted

go 1.22
