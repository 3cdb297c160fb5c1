package lib

// Version is the major version of this module.
const Version = 2
