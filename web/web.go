// Package web holds the embedded static pages: the customer widget, the demo page, and later the consoles.
package web

import "embed"

// FS holds widget/, demo/, trainer/, console/ and icon/.
//
//go:embed widget demo trainer console icon
var FS embed.FS
