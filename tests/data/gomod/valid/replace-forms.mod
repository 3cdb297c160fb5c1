module example.com/replaces

go 1.21

require (
	example.com/a v1.0.0
	example.com/b v1.2.0
	example.com/c v0.3.0
	example.com/d v1.0.0
)

replace example.com/a => ./a

replace example.com/a v1.0.0 => ../forks/a

replace example.com/b => github.com/fork/b v1.2.1

replace example.com/b v1.2.0 => github.com/fork/b v1.2.0-patched.1

replace (
	example.com/c => /opt/src/c
	example.com/d v1.0.0 => C:/src/d
	example.com/e => .
	example.com/f => ..
	example.com/g v0.1.0 => example.com/g v0.1.1
)
