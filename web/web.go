// Package web holds the embedded static pages: the customer widget, the demo page, and later the consoles.
package web

import "embed"

// FS holds widget/, demo/, trainer/ and console/.
//
//go:embed widget demo trainer console
var FS embed.FS
