package newsletter

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// frontMatterOut is the front matter FormatArticleFile writes, in the order
// a person reads it.
type frontMatterOut struct {
	Title    string `yaml:"title"`
	Date     string `yaml:"date"`
	Section  string `yaml:"section,omitempty"`
	Author   string `yaml:"author,omitempty"`
	Position int    `yaml:"position,omitempty"`
	Deck     string `yaml:"deck,omitempty"`
	Status   string `yaml:"status"`
	Key      string `yaml:"key,omitempty"`
}

// FormatArticleFile writes a as an article file (front matter, then the
// Markdown body) that ParseArticleFile reads back as the same article, key
// included: importing it updates a.
func FormatArticleFile(a *Article) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	fm := frontMatterOut{Title: a.Title, Date: a.Date.String(), Section: a.Section, Author: a.Author,
		Position: a.Position, Deck: a.Deck, Status: string(a.Status), Key: a.Key}
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("article %d: front matter: %w", a.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("article %d: front matter: %w", a.ID, err)
	}
	b.WriteString("---\n")
	b.WriteString(a.Body)
	return b.Bytes(), nil
}
