module example.com/indent

go 1.21

require (
example.com/noindent v1.0.0
				example.com/deep v1.0.0
  // comment with two spaces
    example.com/spaces v1.0.0
)
