module example.com/ziprules

go 1.24
