// Package plural writes counts of things in English as people read them:
// "1 article", "2 articles", "0 articles".
package plural

import "strconv"

// Count is n and the noun in its number: one for 1, many otherwise.
func Count[T int | int64](n T, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}
