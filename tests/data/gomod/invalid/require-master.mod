module example.com/m

require example.com/d master
