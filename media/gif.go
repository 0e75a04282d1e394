package media

// gifFrames counts the frames (image descriptors) of a GIF without decoding
// them, walking its blocks: an animation's decoded size is frames × width ×
// height, to be judged before gif.DecodeAll allocates it. It stops counting
// at limit. A malformed stream gives the frames counted so far.
func gifFrames(data []byte, limit int) int {
	if len(data) < 13 {
		return 0
	}
	i := 13
	if data[10]&0x80 != 0 { // global colour table
		i += 3 << (int(data[10]&7) + 1)
	}
	frames := 0
	skipSubBlocks := func() bool {
		for i < len(data) {
			n := int(data[i])
			i++
			if n == 0 {
				return true
			}
			i += n
		}
		return false
	}
	for i < len(data) && frames < limit {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			i += 2
			if !skipSubBlocks() {
				return frames
			}
		case 0x2C: // image descriptor
			if i+10 > len(data) {
				return frames
			}
			frames++
			flags := data[i+9]
			i += 10
			if flags&0x80 != 0 { // local colour table
				i += 3 << (int(flags&7) + 1)
			}
			i++ // LZW minimum code size
			if !skipSubBlocks() {
				return frames
			}
		default: // 0x3B trailer, or garbage
			return frames
		}
	}
	return frames
}
