module example.com/selftest/lib

go 1.21
