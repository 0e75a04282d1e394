package reports

import (
	"math"
	"strconv"
	"strings"
)

// number writes n with thousands separators: 12,345.
func number[T int | int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percent writes a rate as a percentage with one decimal: 4.2%.
func percent(rate float64) string {
	return strconv.FormatFloat(math.Round(rate*1000)/10, 'f', 1, 64) + "%"
}

// plural is "1 click", "2 clicks".
func plural[T int | int64](n T, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return number(n) + " " + many
}

// niceStep is a round step (1, 2 or 5 times a power of ten) that splits
// max into about parts intervals.
func niceStep(max float64, parts int) float64 {
	if max <= 0 || parts < 1 {
		return 1
	}
	raw := max / float64(parts)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}
