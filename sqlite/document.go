package sqlite

import (
	"context"
	"fmt"

	"tandem/chat"
)

// PutDocument creates or replaces a knowledge document; it reports whether anything changed.
func (s *Store) PutDocument(ctx context.Context, d chat.Document) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO documents (id, collection, title, url, lang, category, body, hash, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, title = excluded.title, url = excluded.url,
			lang = excluded.lang, category = excluded.category, body = excluded.body, hash = excluded.hash,
			updated_at = excluded.updated_at
		WHERE documents.hash <> excluded.hash`,
		d.ID, d.Collection, d.Title, d.URL, d.Lang, d.Category, d.Body, d.Hash, micros(d.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("put document: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Documents lists all knowledge documents ordered by id.
func (s *Store) Documents(ctx context.Context) ([]chat.Document, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, collection, title, url, lang, category, body, hash, updated_at
		FROM documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var out []chat.Document
	for rows.Next() {
		var d chat.Document
		if err := rows.Scan(&d.ID, &d.Collection, &d.Title, &d.URL, &d.Lang, &d.Category, &d.Body, &d.Hash, (*microTime)(&d.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDocument removes a knowledge document.
func (s *Store) DeleteDocument(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete document: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ENOTFOUND, "document %s not found", id)
	}
	return nil
}

// KnowledgeVersion changes whenever a document is added, changed or deleted.
func (s *Store) KnowledgeVersion(ctx context.Context) (string, error) {
	var n, last int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(max(updated_at), 0) FROM documents`).Scan(&n, &last)
	if err != nil {
		return "", fmt.Errorf("knowledge version: %w", err)
	}
	return fmt.Sprintf("%d:%d", n, last), nil
}
