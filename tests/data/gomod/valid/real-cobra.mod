module github.com/spf13/cobra

go 1.15

require (
	github.com/cpuguy83/go-md2man/v2 v2.0.1
	github.com/inconshreveable/mousetrap v1.0.0
	github.com/spf13/pflag v1.0.5
	github.com/spf13/viper v1.9.0
	gopkg.in/yaml.v2 v2.4.0
)
