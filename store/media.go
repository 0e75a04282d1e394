package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"masthead/newsletter"
)

// The media tables: the picture library (media, one row per original, by
// its SHA-256) and the renditions made for showing each (media_renditions).

const mediaColumns = `id, sha256, format, width, height, size, alt, caption, created_at, updated_at`

func scanMedia(row interface{ Scan(...any) error }) (*newsletter.Picture, error) {
	var p newsletter.Picture
	var created, updated int64
	if err := row.Scan(&p.ID, &p.SHA256, &p.Format, &p.Width, &p.Height, &p.Size, &p.Alt, &p.Caption,
		&created, &updated); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// AddMedia stores a picture with its original bytes and its renditions (with
// their bytes), in one transaction, and sets p.ID and its times. A picture
// whose SHA-256 is stored already is kept once: p is then filled from the
// stored one (its texts included) and created is false.
func (s *Store) AddMedia(ctx context.Context, p *newsletter.Picture, original []byte) (created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, err := scanMedia(tx.QueryRowContext(ctx, s.q(`SELECT `+mediaColumns+` FROM media WHERE sha256 = ?`+s.dialect.forUpdate()), p.SHA256))
		switch {
		case err == nil:
			if err := s.loadRenditions(ctx, tx, stored); err != nil {
				return err
			}
			*p = *stored
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up picture %s: %w", p.SHA256, err)
		}
		now := s.now()
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO media (sha256, format, width, height, size, alt, caption, original,
			created_at, updated_at) VALUES (`+placeholders(10)+`) RETURNING id`),
			p.SHA256, p.Format, p.Width, p.Height, p.Size, p.Alt, p.Caption, original, ms(now), ms(now)).Scan(&p.ID)
		if err != nil {
			return s.mapErr(fmt.Errorf("add picture %s: %w", p.SHA256, err))
		}
		for i := range p.Renditions {
			r := &p.Renditions[i]
			r.Size = int64(len(r.Data))
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO media_renditions (media_id, width, height, format, sha256,
				size, data, created_at) VALUES (`+placeholders(8)+`)`),
				p.ID, r.Width, r.Height, r.Format, r.SHA256, r.Size, r.Data, ms(now)); err != nil {
				return s.mapErr(fmt.Errorf("add rendition %d of picture %s: %w", r.Width, p.SHA256, err))
			}
		}
		p.CreatedAt, p.UpdatedAt, created = now, now, true
		return nil
	})
	return created, err
}

// loadRenditions fills p.Renditions, without their bytes, narrowest first.
func (s *Store) loadRenditions(ctx context.Context, q querier, p *newsletter.Picture) error {
	rows, err := q.QueryContext(ctx, s.q(`SELECT width, height, format, sha256, size FROM media_renditions
		WHERE media_id = ? ORDER BY width`), p.ID)
	if err != nil {
		return fmt.Errorf("renditions of picture %d: %w", p.ID, err)
	}
	defer rows.Close()
	p.Renditions = nil
	for rows.Next() {
		var r newsletter.PictureRendition
		if err := rows.Scan(&r.Width, &r.Height, &r.Format, &r.SHA256, &r.Size); err != nil {
			return err
		}
		p.Renditions = append(p.Renditions, r)
	}
	return rows.Err()
}

// SetMediaText changes a picture's alt text and caption.
func (s *Store) SetMediaText(ctx context.Context, id int64, alt, caption string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE media SET alt = ?, caption = ?, updated_at = ? WHERE id = ?`),
		alt, caption, ms(s.now()), id)
	if err != nil {
		return fmt.Errorf("update picture %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("picture %d: %w", id, ErrNotFound)
	}
	return nil
}

// Media returns one picture with its renditions (without their bytes).
func (s *Store) Media(ctx context.Context, id int64) (*newsletter.Picture, error) {
	return s.mediaWhere(ctx, `id = ?`, id)
}

// MediaByHash returns the picture whose original has the SHA-256 sha (hex,
// lower case), with its renditions (without their bytes).
func (s *Store) MediaByHash(ctx context.Context, sha string) (*newsletter.Picture, error) {
	return s.mediaWhere(ctx, `sha256 = ?`, strings.ToLower(sha))
}

// MediaByHashPrefix returns the pictures whose SHA-256 starts with prefix
// (hex), at most two: an editor's short form of a hash is one picture's
// only when one comes back.
func (s *Store) MediaByHashPrefix(ctx context.Context, prefix string) ([]*newsletter.Picture, error) {
	prefix = strings.ToLower(prefix)
	if strings.ContainsAny(prefix, `%_\`) {
		return nil, nil
	}
	return s.mediaList(ctx, `SELECT `+mediaColumns+` FROM media WHERE sha256 LIKE ? ORDER BY id LIMIT 2`, prefix+"%")
}

func (s *Store) mediaWhere(ctx context.Context, where string, arg any) (*newsletter.Picture, error) {
	p, err := scanMedia(s.db.QueryRowContext(ctx, s.q(`SELECT `+mediaColumns+` FROM media WHERE `+where), arg))
	if err != nil {
		return nil, s.mapErr(err)
	}
	if err := s.loadRenditions(ctx, s.db, p); err != nil {
		return nil, err
	}
	return p, nil
}

// MediaFilter selects pictures of the library.
type MediaFilter struct {
	Limit  int // 0: no limit
	Offset int
}

// MediaList lists the library, newest first, each picture with its
// renditions (without bytes).
func (s *Store) MediaList(ctx context.Context, f MediaFilter) ([]*newsletter.Picture, error) {
	query := `SELECT ` + mediaColumns + ` FROM media ORDER BY id DESC`
	var args []any
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	return s.mediaList(ctx, query, args...)
}

func (s *Store) mediaList(ctx context.Context, query string, args ...any) ([]*newsletter.Picture, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list pictures: %w", err)
	}
	var out []*newsletter.Picture
	for rows.Next() {
		p, err := scanMedia(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range out {
		if err := s.loadRenditions(ctx, s.rdb, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MediaRendition returns the rendition width pixels wide of the picture
// whose original has the SHA-256 sha, with its bytes: what the web edition
// serves.
func (s *Store) MediaRendition(ctx context.Context, sha string, width int) (*newsletter.PictureRendition, error) {
	var r newsletter.PictureRendition
	err := s.db.QueryRowContext(ctx, s.q(`SELECT r.width, r.height, r.format, r.sha256, r.size, r.data
		FROM media_renditions r JOIN media m ON m.id = r.media_id WHERE m.sha256 = ? AND r.width = ?`),
		strings.ToLower(sha), width).Scan(&r.Width, &r.Height, &r.Format, &r.SHA256, &r.Size, &r.Data)
	if err != nil {
		return nil, s.mapErr(err)
	}
	return &r, nil
}

// MediaOriginal returns the bytes of a picture's original upload.
func (s *Store) MediaOriginal(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT original FROM media WHERE id = ?`), id).Scan(&data)
	return data, s.mapErr(err)
}
