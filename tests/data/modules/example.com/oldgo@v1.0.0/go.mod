module example.com/oldgo

go 1.16

require example.com/oldbase v1.0.0
