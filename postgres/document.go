package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// PutDocument creates or replaces a knowledge document; it reports whether anything changed.
func (s *Store) PutDocument(ctx context.Context, d chat.Document) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO documents (id, collection, title, url, lang, category, body, hash, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, title = excluded.title, url = excluded.url,
			lang = excluded.lang, category = excluded.category, body = excluded.body, hash = excluded.hash,
			updated_at = excluded.updated_at
		WHERE documents.hash <> excluded.hash`,
		d.ID, d.Collection, d.Title, d.URL, d.Lang, d.Category, d.Body, d.Hash, d.UpdatedAt)
	if err != nil {
		return false, fmt.Errorf("put document: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// Documents lists all knowledge documents ordered by id.
func (s *Store) Documents(ctx context.Context) ([]chat.Document, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, collection, title, url, lang, category, body, hash, updated_at FROM documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Document, error) {
		var d chat.Document
		err := r.Scan(&d.ID, &d.Collection, &d.Title, &d.URL, &d.Lang, &d.Category, &d.Body, &d.Hash, &d.UpdatedAt)
		d.UpdatedAt = d.UpdatedAt.UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return out, nil
}

// DeleteDocument removes a knowledge document.
func (s *Store) DeleteDocument(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM documents WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete document: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return chat.Errorf(chat.ENOTFOUND, "document %s not found", id)
	}
	return nil
}

// KnowledgeVersion changes whenever a document is added, changed or deleted.
func (s *Store) KnowledgeVersion(ctx context.Context) (string, error) {
	var n int64
	var last *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), max(updated_at) FROM documents`).Scan(&n, &last)
	if err != nil {
		return "", fmt.Errorf("knowledge version: %w", err)
	}
	v := fmt.Sprintf("%d:", n)
	if last != nil {
		v += fmt.Sprint(last.UnixMicro())
	}
	return v, nil
}
