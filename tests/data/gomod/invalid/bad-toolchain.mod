module example.com/m

go 1.21

toolchain 1.21.0
