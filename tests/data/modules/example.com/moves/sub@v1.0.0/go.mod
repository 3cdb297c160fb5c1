module example.com/moves/sub

go 1.22
