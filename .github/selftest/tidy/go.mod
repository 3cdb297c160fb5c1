module example.com/selftest/tidy

go 1.21
