module example.com/m
module example.com/n
