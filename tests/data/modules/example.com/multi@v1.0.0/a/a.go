package a

// A names package a.
const A = "a"
