// Copyright 2024 Example Authors.
// SPDX-License-Identifier: Apache-2.0

// A free-floating paragraph.

// Comment before module.
module example.com/comments // the module

// before go
go 1.22 // the go line
// after go

require ( // lparen comment
	// before a
	example.com/a v1.0.0 // a's comment
	// between

	// after a blank
	example.com/b v1.1.0 // indirect; kept for CVE-2024-0001
	// before rparen
) // rparen comment

// orphan comment
// at end of file
