module example.com/m

require "example.com/\q" v1.0.0
