module "example.com/quoted"

go 1.21

require (
	"example.com/a" "v1.0.0"
	example.com/b "v1.2.3"
)

replace "example.com/a" => "./dir with spaces/a"

replace example.com/b v1.2.3 => "../b (fork)"

replace example.com/c => "/abs/tab\there"

ignore "./has space"

tool "example.com/b/cmd/x"
