package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"tandem/chat"
)

// Synonyms lists the synonym groups, by language and in their order.
func (s *Store) Synonyms(ctx context.Context) ([]chat.SynonymGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT lang, words FROM synonyms ORDER BY lang, ord`)
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	defer rows.Close()
	var out []chat.SynonymGroup
	for rows.Next() {
		var g chat.SynonymGroup
		var words string
		if err := rows.Scan(&g.Lang, &words); err != nil {
			return nil, fmt.Errorf("synonyms: %w", err)
		}
		if err := json.Unmarshal([]byte(words), &g.Words); err != nil {
			return nil, fmt.Errorf("synonyms: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// PutSynonyms replaces the synonym groups of every language in byLang, in one transaction (an
// empty list: the language has no synonyms any more).
func (s *Store) PutSynonyms(ctx context.Context, byLang map[string][]chat.SynonymGroup, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for lang, groups := range byLang {
			if _, err := tx.ExecContext(ctx, `DELETE FROM synonyms WHERE lang = ?`, lang); err != nil {
				return fmt.Errorf("put synonyms: %w", err)
			}
			for i, g := range groups {
				words, _ := json.Marshal(g.Words)
				if _, err := tx.ExecContext(ctx, `INSERT INTO synonyms (lang, ord, words, updated_at) VALUES (?, ?, ?, ?)`,
					lang, i, string(words), micros(at)); err != nil {
					return fmt.Errorf("put synonyms: %w", err)
				}
			}
		}
		return nil
	})
}
