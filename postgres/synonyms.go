package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tandem/chat"
)

// Synonyms lists the synonym groups, by language and in their order.
func (s *Store) Synonyms(ctx context.Context) ([]chat.SynonymGroup, error) {
	rows, err := s.pool.Query(ctx, `SELECT lang, words FROM synonyms ORDER BY lang, ord`)
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.SynonymGroup, error) {
		var g chat.SynonymGroup
		err := r.Scan(&g.Lang, &g.Words)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	return out, nil
}

// PutSynonyms replaces the synonym groups of every language in byLang, in one transaction (an
// empty list: the language has no synonyms any more).
func (s *Store) PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for lang, groups := range byLang {
			if _, err := tx.Exec(ctx, `DELETE FROM synonyms WHERE lang = $1`, lang); err != nil {
				return fmt.Errorf("put synonyms: %w", err)
			}
			for i, g := range groups {
				if _, err := tx.Exec(ctx, `INSERT INTO synonyms (lang, ord, words, updated_at) VALUES ($1, $2, $3, $4)`,
					lang, i, g.Words, at); err != nil {
					return fmt.Errorf("put synonyms: %w", err)
				}
			}
		}
		return nil
	})
}
