//go:build spotter_inprocess

package helper

// inProcessBuild is set by building with -tags spotter_inprocess: every Call is
// then answered in Spotter's own process, unconfined, as before the
// helpers, only to measure the sandbox against (bench/compare). Never
// ship such a build.
const inProcessBuild = true
