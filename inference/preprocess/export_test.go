package preprocess

// DecoderPIDs are the decoder's helpers waiting for work, whose memory
// holds libheif's and libjxl's.
func DecoderPIDs() []int { return decoder.PIDs() }
