module example.com/m

tool a b
