module example.com/singles
go 1.21
require example.com/c v1.0.0
require example.com/a v1.0.0
require example.com/b v1.0.0 // indirect
exclude example.com/c v0.9.0
replace example.com/c => ./c
retract v0.1.0
