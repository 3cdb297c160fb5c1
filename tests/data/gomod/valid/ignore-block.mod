module example.com/web

go 1.25

ignore (
	./node_modules
	static
	./third_party/ignored // vendored JS
	content/generated
)

ignore ./tmp
