package raw

// HelperPIDs are the helper processes waiting for work, whose memory holds
// LibRaw's.
func HelperPIDs() []int {
	idle.Lock()
	defer idle.Unlock()
	pids := make([]int, len(idle.helpers))
	for i, h := range idle.helpers {
		pids[i] = h.cmd.Process.Pid
	}
	return pids
}
