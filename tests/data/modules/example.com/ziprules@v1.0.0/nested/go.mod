module example.com/ziprules/nested

go 1.22
