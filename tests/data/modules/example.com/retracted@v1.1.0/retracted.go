package retracted

// Value is right from v1.1.0 on.
const Value = 1
