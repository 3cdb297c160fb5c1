module golang.org/x/tools/gopls

go 1.25

require (
	github.com/fatih/gomodifytags v1.17.1-0.20250423142747-f3939df9aa3c
	github.com/fsnotify/fsnotify v1.9.0
	github.com/google/go-cmp v0.7.0
	github.com/google/jsonschema-go v0.4.2
	github.com/jba/templatecheck v0.7.1
	github.com/modelcontextprotocol/go-sdk v1.2.0
	golang.org/x/mod v0.33.0
	golang.org/x/sync v0.19.0
	golang.org/x/telemetry v0.0.0-20260209163413-e7419c687ee4
	golang.org/x/text v0.34.0
	golang.org/x/tools v0.41.0
	golang.org/x/vuln v1.1.4
	gopkg.in/yaml.v3 v3.0.1
	honnef.co/go/tools v0.7.0-0.dev.0.20251022135355-8273271481d0
	mvdan.cc/gofumpt v0.9.2
	mvdan.cc/xurls/v2 v2.6.0
)

require (
	github.com/BurntSushi/toml v1.5.0 // indirect
	github.com/fatih/camelcase v1.0.0 // indirect
	github.com/fatih/structtag v1.2.0 // indirect
	github.com/google/safehtml v0.1.0 // indirect
	github.com/yosida95/uritemplate/v3 v3.0.2 // indirect
	golang.org/x/exp/typeparams v0.0.0-20260112195511-716be5621a96 // indirect
	golang.org/x/oauth2 v0.35.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/tools/go/expect v0.1.1-deprecated // indirect
	golang.org/x/tools/go/packages/packagestest v0.1.1-deprecated // indirect
	gopkg.in/check.v1 v1.0.0-20190902080502-41f04d3bba15 // indirect
)

replace golang.org/x/tools => ../
