module example.com/m

exclude example.com/a/v1 v1.0.0
