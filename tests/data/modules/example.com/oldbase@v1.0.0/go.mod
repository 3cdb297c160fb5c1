module example.com/oldbase

go 1.16
