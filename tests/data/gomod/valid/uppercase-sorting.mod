module example.com/case

go 1.21

require (
	github.com/sirupsen/logrus v1.9.0
	github.com/Sirupsen/logrus v1.0.0
	github.com/Azure/azure-sdk-for-go v68.0.0+incompatible
	github.com/azure/azure-sdk-for-go v1.0.0
	"example.com/quoted" v1.0.0
	example.com/quoted v0.9.0
	_example.com/x v1.0.0
	9fans.net/go v0.0.2
	~tilde.example/x v1.0.0
)
