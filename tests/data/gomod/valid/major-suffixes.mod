module example.com/majors/v3

go 1.21

require (
	example.com/a/v2 v2.3.4
	example.com/b/v10 v10.0.0-20240101000000-abcdefabcdef
	example.com/c v3.1.0+incompatible
	example.com/d v0.0.0-20191109021931-daa7c04131f5
	example.com/e v1.2.4-0.20191109021931-daa7c04131f5
	example.com/f v1.2.3-pre.0.20191109021931-daa7c04131f5
	example.com/g v2.0.1-0.20191109021931-daa7c04131f5+incompatible
)
