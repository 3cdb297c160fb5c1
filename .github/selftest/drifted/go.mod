module example.com/selftest/drifted

go 1.21

require example.com/selftest/lib v0.0.0

replace example.com/selftest/lib => ../lib
