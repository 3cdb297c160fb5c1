module example.com/vsw

go 1.21

require example.com/lib v1.5.0

replace (
	example.com/lib v1.4.0 => example.com/lib-fork v1.4.0-fix.1
	example.com/lib => ../lib
	example.com/lib v1.5.0 => example.com/lib-fork v1.5.0-fix.2
)
