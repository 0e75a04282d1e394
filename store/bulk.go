package store

import (
	"context"
	"database/sql"
	"strings"
)

// maxBulkArgs keeps one statement's placeholders under every database's limit
// (SQLite: 32766, PostgreSQL: 65535).
const maxBulkArgs = 30000

// execBulk runs head VALUES row, row, ... tail over args (as many values per
// row as row has placeholders), in as few statements as the placeholder limit
// allows; tailArgs are the arguments of tail's placeholders. Nothing to do
// when args is empty.
func (s *Store) execBulk(ctx context.Context, q querier, head, row string, args []any, tail string, tailArgs []any) error {
	return s.queryBulk(ctx, q, head, row, args, tail, tailArgs, nil)
}

// queryBulk is execBulk for statements with RETURNING: each returned row goes to scan.
func (s *Store) queryBulk(ctx context.Context, q querier, head, row string, args []any, tail string, tailArgs []any,
	scan func(*sql.Rows) error) error {
	width := strings.Count(row, "?")
	per := (maxBulkArgs - len(tailArgs)) / width * width
	for len(args) > 0 {
		n := min(per, len(args))
		chunk := append(args[:n:n], tailArgs...)
		args = args[n:]
		var b strings.Builder
		b.Grow(len(head) + len(tail) + n/width*(len(row)+2) + 16)
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for i := 0; i < n/width; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(" ")
		b.WriteString(tail)
		if scan == nil {
			if _, err := q.ExecContext(ctx, s.q(b.String()), chunk...); err != nil {
				return err
			}
			continue
		}
		if err := s.scanAll(ctx, q, b.String(), chunk, scan); err != nil {
			return err
		}
	}
	return nil
}

// queryIn runs query + " (?, ?, ...)" over values, in chunks, scanning each row;
// pre are the arguments of placeholders in query before the IN list.
func (s *Store) queryIn(ctx context.Context, q querier, query string, pre, values []any, scan func(*sql.Rows) error) error {
	for len(values) > 0 {
		n := min(maxBulkArgs, len(values))
		args := append(pre[:len(pre):len(pre)], values[:n]...)
		if err := s.scanAll(ctx, q, query+` (`+placeholders(n)+`)`, args, scan); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

// execIn is queryIn for statements that return no rows.
func (s *Store) execIn(ctx context.Context, q querier, query string, pre, values []any) error {
	for len(values) > 0 {
		n := min(maxBulkArgs, len(values))
		args := append(pre[:len(pre):len(pre)], values[:n]...)
		if _, err := q.ExecContext(ctx, s.q(query+` (`+placeholders(n)+`)`), args...); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func (s *Store) scanAll(ctx context.Context, q querier, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
