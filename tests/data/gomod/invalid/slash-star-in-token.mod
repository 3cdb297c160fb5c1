module example.com/m

require example.com/a/*x v1.0.0
