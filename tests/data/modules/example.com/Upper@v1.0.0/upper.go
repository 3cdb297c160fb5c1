package upper

// Name is spelled with an upper-case letter in the module path.
const Name = "Upper"
