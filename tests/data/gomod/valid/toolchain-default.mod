module example.com/tcdefault

go 1.21.0

toolchain default
