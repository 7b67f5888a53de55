package helper

/*
#include <malloc.h>
*/
import "C"

import "runtime/debug"

// giveBack returns to the system the memory a helper's last requests
// freed. glibc keeps what C libraries free in its arenas, one per thread
// that allocated (libheif's and dav1d's decode threads): an idle decoder
// held about 240 MB after a 12-megapixel AVIF. Go's own heap (the
// pictures sent) is returned at once too, rather than over minutes.
func giveBack() {
	debug.FreeOSMemory()
	C.malloc_trim(0)
}
