package raw

// HelperPIDs are the helper processes waiting for work, whose memory holds
// LibRaw's.
func HelperPIDs() []int { return service.PIDs() }
