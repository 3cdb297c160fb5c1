module example.com/basetest

go 1.22

require example.com/oldbase v1.0.0
