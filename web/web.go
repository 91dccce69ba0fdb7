// Package web holds the embedded static pages: the customer widget, the demo page, and the
// agent and trainer consoles, whose ES modules share shared/.
package web

import "embed"

// FS holds widget/, demo/, trainer/, console/, shared/ and icon/.
//
//go:embed widget demo trainer console shared icon
var FS embed.FS
