module example.com/service

go 1.24.0

tool (
	golang.org/x/tools/cmd/stringer
	github.com/golangci/golangci-lint/cmd/golangci-lint
	example.com/service/internal/cmd/gen
)

require (
	github.com/google/uuid v1.6.0
	golang.org/x/sync v0.10.0
)

require (
	golang.org/x/mod v0.22.0 // indirect
	golang.org/x/tools v0.28.0 // indirect
)
