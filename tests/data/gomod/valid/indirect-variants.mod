module example.com/indirects

go 1.21

require (
	example.com/a v1.0.0 // indirect
	example.com/b v1.0.0 //indirect
	example.com/c v1.0.0 //	indirect
	example.com/d v1.0.0 // indirect; needed by e
	example.com/e v1.0.0 // Indirect
	example.com/f v1.0.0 // indirect,
	example.com/g v1.0.0 // indirect note
	example.com/h v1.0.0 //
	example.com/i v1.0.0 // not indirect
	example.com/j v1.0.0// indirect
)

require example.com/k v1.0.0 // indirect
