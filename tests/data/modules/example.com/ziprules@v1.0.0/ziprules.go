package ziprules

// Kept says which files a module zip keeps.
const Kept = "root files, LICENSE, vendor/ top-level files before go 1.24"
