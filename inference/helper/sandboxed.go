//go:build !spotter_inprocess

package helper

// inProcessBuild is false in every build Spotter ships: C parsers run in
// helpers (inprocess.go says when they do not).
const inProcessBuild = false
