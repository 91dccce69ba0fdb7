// Package storetest is the conformance suite every Tandem store passes.
package storetest
