package delivery

// headerLineMax is the line length header folding aims at (RFC 5322 2.1.1
// recommends 78; go-mail's MaxHeaderLength is 76).
const headerLineMax = 76

// appendHeader appends the header field "key: value" and its CRLF, folded
// before a word that would take the line past headerLineMax, exactly as
// go-mail v0.8.1 folds the headers it writes (msgWriter.writeHeader): words
// are what lies between single spaces, a fold is CRLF and a space, and the
// space that preceded a fold is dropped. Messages composed here are thus
// byte for byte those go-mail would write (TestSpliceMatchesGoMail).
func appendHeader(dst []byte, key, value string) []byte {
	start := len(dst)
	dst = append(dst, key...)
	dst = append(dst, ':', ' ')
	room := headerLineMax - 2 - len(key) - 2
	for rest := value; ; {
		word, more := rest, false
		for i := 0; i < len(rest); i++ {
			if rest[i] == ' ' {
				word, rest, more = rest[:i], rest[i+1:], true
				break
			}
		}
		if room-len(word) <= 1 {
			dst = append(dst, '\r', '\n', ' ')
			room = headerLineMax - 3
		}
		dst = append(dst, word...)
		room -= len(word)
		if !more {
			break
		}
		dst = append(dst, ' ')
		room--
	}
	// go-mail removes every " \r\n" it made (the space before a fold).
	w := start
	for r := start; r < len(dst); r++ {
		if dst[r] == ' ' && r+2 < len(dst) && dst[r+1] == '\r' && dst[r+2] == '\n' {
			continue
		}
		dst[w] = dst[r]
		w++
	}
	return append(dst[:w], '\r', '\n')
}
