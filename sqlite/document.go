package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"tandem/chat"
)

const documentColumns = `id, collection, title, url, lang, category, kind, tags, questions, body, hash, updated_at`

// PutDocument stores a document with its chunks; it reports whether anything changed.
func (s *Store) PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error) {
	n, err := s.PutDocuments(ctx, []chat.Document{d}, [][]chat.Chunk{chunks})
	return n > 0, err
}

// PutDocuments stores documents with their chunks in one transaction and returns how many
// changed. A document whose hash is unchanged (and that has chunks) is left alone; a changed
// one gets its new chunks, and only chunks whose hash changed lose their embeddings.
func (s *Store) PutDocuments(ctx context.Context, docs []chat.Document, chunks [][]chat.Chunk) (int, error) {
	changed := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for i, d := range docs {
			ok, err := putDocument(ctx, tx, d, chunks[i])
			if err != nil {
				return fmt.Errorf("put document %s: %w", d.ID, err)
			}
			if ok {
				changed++
			}
		}
		return nil
	})
	return changed, err
}

func putDocument(ctx context.Context, tx *sql.Tx, d chat.Document, chunks []chat.Chunk) (bool, error) {
	var hash string
	var n int
	err := tx.QueryRowContext(ctx, `SELECT hash, (SELECT count(*) FROM chunks WHERE doc_id = ?) FROM documents WHERE id = ?`, d.ID, d.ID).Scan(&hash, &n)
	if err != nil && err != sql.ErrNoRows {
		return false, err
	}
	if hash == d.Hash && n > 0 {
		return false, nil
	}
	tags, _ := json.Marshal(nonNil(d.Tags))
	questions, _ := json.Marshal(nonNil(d.Questions))
	_, err = tx.ExecContext(ctx, `INSERT INTO documents (`+documentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, title = excluded.title, url = excluded.url,
			lang = excluded.lang, category = excluded.category, kind = excluded.kind, tags = excluded.tags,
			questions = excluded.questions, body = excluded.body, hash = excluded.hash, updated_at = excluded.updated_at`,
		d.ID, d.Collection, d.Title, d.URL, d.Lang, d.Category, d.Kind, string(tags), string(questions), d.Body, d.Hash, micros(d.UpdatedAt))
	if err != nil {
		return false, err
	}
	return true, replaceChunks(ctx, tx, d.ID, chunks)
}

// replaceChunks makes the document's chunks equal chunks, keeping unchanged rows (and their
// embeddings) in place.
func replaceChunks(ctx context.Context, tx *sql.Tx, docID string, chunks []chat.Chunk) error {
	old := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT id, hash FROM chunks WHERE doc_id = ?`, docID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return err
		}
		old[id] = h
	}
	rows.Close()
	keep := map[string]bool{}
	for _, c := range chunks {
		if old[c.ID] == c.Hash {
			keep[c.ID] = true
		}
	}
	for id := range old {
		if !keep[id] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE id = ?`, id); err != nil {
				return err
			}
		}
	}
	for _, c := range chunks {
		if keep[c.ID] {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO chunks (id, doc_id, ord, heading, text, lang, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, docID, c.Ord, c.Heading, c.Text, c.Lang, c.Hash)
		if err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Documents lists all knowledge documents ordered by id.
func (s *Store) Documents(ctx context.Context) ([]chat.Document, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+documentColumns+` FROM documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var out []chat.Document
	for rows.Next() {
		var d chat.Document
		var tags, questions string
		if err := rows.Scan(&d.ID, &d.Collection, &d.Title, &d.URL, &d.Lang, &d.Category, &d.Kind, &tags, &questions,
			&d.Body, &d.Hash, (*microTime)(&d.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
		json.Unmarshal([]byte(tags), &d.Tags)
		json.Unmarshal([]byte(questions), &d.Questions)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Chunks lists the chunks of one document (docID != "") or of all documents, in order.
func (s *Store) Chunks(ctx context.Context, docID string) ([]chat.Chunk, error) {
	q := `SELECT id, doc_id, ord, heading, text, lang, hash FROM chunks`
	var args []any
	if docID != "" {
		q += ` WHERE doc_id = ?`
		args = append(args, docID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY doc_id, ord`, args...)
	if err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	defer rows.Close()
	var out []chat.Chunk
	for rows.Next() {
		var c chat.Chunk
		if err := rows.Scan(&c.ID, &c.DocID, &c.Ord, &c.Heading, &c.Text, &c.Lang, &c.Hash); err != nil {
			return nil, fmt.Errorf("chunks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteDocument removes a knowledge document with its chunks and embeddings.
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

// KnowledgeVersion changes whenever a document is added, changed or deleted, and whenever the
// synonym groups change.
func (s *Store) KnowledgeVersion(ctx context.Context) (string, error) {
	var n, last, sn, slast int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(max(updated_at), 0),
		(SELECT count(*) FROM synonyms), (SELECT COALESCE(max(updated_at), 0) FROM synonyms) FROM documents`).Scan(&n, &last, &sn, &slast)
	if err != nil {
		return "", fmt.Errorf("knowledge version: %w", err)
	}
	return versionString(n, last, sn, slast), nil
}

// versionString writes a knowledge version; the update times are in base 36 so that a version in
// a log line is not a run of digits that the log's masking takes for a card number.
func versionString(docs, docsUpdated, synonyms, synonymsUpdated int64) string {
	return fmt.Sprintf("%d:%s:%d:%s", docs, strconv.FormatInt(docsUpdated, 36), synonyms, strconv.FormatInt(synonymsUpdated, 36))
}

// MissingEmbeddings returns up to limit chunks that have no current embedding under model.
func (s *Store) MissingEmbeddings(ctx context.Context, model string, limit int) ([]chat.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.doc_id, c.ord, c.heading, c.text, c.lang, c.hash, d.title FROM chunks c
		JOIN documents d ON d.id = c.doc_id
		LEFT JOIN embeddings e ON e.model = ? AND e.chunk_id = c.id AND e.hash = c.hash
		WHERE e.chunk_id IS NULL ORDER BY c.id LIMIT ?`, model, limit)
	if err != nil {
		return nil, fmt.Errorf("missing embeddings: %w", err)
	}
	defer rows.Close()
	var out []chat.Chunk
	for rows.Next() {
		var c chat.Chunk
		if err := rows.Scan(&c.ID, &c.DocID, &c.Ord, &c.Heading, &c.Text, &c.Lang, &c.Hash, &c.Title); err != nil {
			return nil, fmt.Errorf("missing embeddings: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutEmbeddings stores vectors under model; a vector for a chunk that has since changed or gone
// is dropped.
func (s *Store) PutEmbeddings(ctx context.Context, model string, es []chat.Embedding) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			_, err := tx.ExecContext(ctx, `INSERT INTO embeddings (chunk_id, model, hash, vec)
				SELECT id, ?, hash, ? FROM chunks WHERE id = ? AND hash = ?
				ON CONFLICT (model, chunk_id) DO UPDATE SET hash = excluded.hash, vec = excluded.vec`,
				model, encodeVector(e.Vector), e.ChunkID, e.Hash)
			if err != nil {
				return fmt.Errorf("put embeddings: %w", err)
			}
		}
		return nil
	})
}

// EmbeddingStats returns how many chunks exist and how many have a current vector under model.
func (s *Store) EmbeddingStats(ctx context.Context, model string) (chunks, embedded int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM chunks),
		(SELECT count(*) FROM embeddings e JOIN chunks c ON c.id = e.chunk_id AND c.hash = e.hash WHERE e.model = ?)`, model).Scan(&chunks, &embedded)
	if err != nil {
		err = fmt.Errorf("embedding stats: %w", err)
	}
	return chunks, embedded, err
}

// Embeddings returns every current vector under model, by chunk id.
func (s *Store) Embeddings(ctx context.Context, model string) (map[string][]float32, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.chunk_id, e.vec FROM embeddings e
		JOIN chunks c ON c.id = e.chunk_id AND c.hash = e.hash WHERE e.model = ?`, model)
	if err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	defer rows.Close()
	out := map[string][]float32{}
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("embeddings: %w", err)
		}
		out[id] = decodeVector(b)
	}
	return out, rows.Err()
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
