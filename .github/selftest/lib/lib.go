package lib

// Name is unused by the drifted module.
const Name = "lib"
