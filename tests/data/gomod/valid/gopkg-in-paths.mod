module example.com/gopkgin

go 1.16

require (
	gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405
	gopkg.in/yaml.v3 v3.0.1
	gopkg.in/mgo.v2 v2.0.0-20190816093944-a6b53ec6cb22
	gopkg.in/inf.v0 v0.9.1
	gopkg.in/src-d/go-git.v4 v4.13.1
	gopkg.in/natefinch/lumberjack.v2 v2.2.1
	gopkg.in/tomb.v1 v1.0.0-20141024135613-dd632973f1e7
	gopkg.in/fsnotify.v1 v1.4.7
)
