package b

// B names package b.
const B = "b"
