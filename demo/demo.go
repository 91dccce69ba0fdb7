// Package demo holds the bundled demo knowledge base of Harbor Mutual, a fictional insurer, used by `tandem demo`.
package demo

import "embed"

// KB is the demo knowledge base: Markdown articles with front matter under kb/en and kb/zh.
//
//go:embed kb
var KB embed.FS
