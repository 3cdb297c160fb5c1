// Deprecated: use example.com/newlib instead. This module is no longer
// maintained and will receive no more fixes.
module example.com/oldlib

go 1.19

require golang.org/x/text v0.14.0
