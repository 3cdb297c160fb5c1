module example.com/rc

go 1.21rc1

toolchain go1.21rc2
