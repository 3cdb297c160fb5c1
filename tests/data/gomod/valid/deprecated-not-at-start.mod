// Some text first
// Deprecated: this is not at a paragraph start.
module example.com/notdeprecated

go 1.21
