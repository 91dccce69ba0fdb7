// Package web holds the embedded static pages: the customer widget, the demo page, and later the consoles.
package web

import "embed"

// FS holds widget/, demo/ and trainer/ (and later console/).
//
//go:embed widget demo trainer
var FS embed.FS
