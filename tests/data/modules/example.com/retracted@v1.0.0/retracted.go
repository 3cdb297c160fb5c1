package retracted

// Value is wrong in v1.0.0.
const Value = 0
