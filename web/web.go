// Package web holds the embedded static pages: the customer widget, the demo page, and later the consoles.
package web

import "embed"

// FS holds widget/ and demo/ (and later console/ and trainer/).
//
//go:embed widget demo
var FS embed.FS
