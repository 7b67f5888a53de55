package sidecar

import "sync"

// Job is one photo's keywords for WriteAll.
type Job struct {
	Photo    string
	Keywords Keywords
}

// Result is one photo's outcome in WriteAll or RemoveAll.
type Result struct {
	Change Change
	Err    error
}

// writers is how many sidecars are written at once. Each write waits for the disk to flush its
// file; overlapping the waits lets the file system flush several in one journal commit
// (BenchmarkWriteFresh against BenchmarkWriteFreshOneAtATime).
const writers = 8

// WriteAll writes the sidecars of many photos; results[i] is jobs[i]'s. Photos that share a
// sidecar (Lightroom's NAME.xmp for NAME.jpg and NAME.cr2) are written one after the other.
func WriteAll(jobs []Job) []Result {
	return each(len(jobs), func(i int) string { return jobs[i].Photo }, func(i int) (Change, error) {
		return Write(jobs[i].Photo, jobs[i].Keywords)
	})
}

// RemoveAll removes Spotter's keywords from the sidecars of many photos, as WriteAll writes them.
func RemoveAll(photos []string) []Result {
	return each(len(photos), func(i int) string { return photos[i] }, func(i int) (Change, error) {
		return Remove(photos[i])
	})
}

func each(n int, photo func(int) string, do func(int) (Change, error)) []Result {
	var groups [][]int
	group := map[string]int{}
	for i := range n {
		p := Path(photo(i))
		g, ok := group[p]
		if !ok {
			g = len(groups)
			group[p] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	results := make([]Result, n)
	work := make(chan []int)
	var wg sync.WaitGroup
	for range min(writers, len(groups)) {
		wg.Go(func() {
			for g := range work {
				for _, i := range g {
					c, err := do(i)
					results[i] = Result{c, err}
				}
			}
		})
	}
	for _, g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()
	return results
}
