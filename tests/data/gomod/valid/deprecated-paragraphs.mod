// This module has a long history.
//
// Deprecated: the API moved to example.com/v2; see
// https://example.com/migrate for details.
//
// Another paragraph that is not part of the message.
module example.com/deprecatedparas

go 1.21
