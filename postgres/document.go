package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pgvector/pgvector-go"

	"tandem/chat"
	"tandem/retrieval"
)

const documentColumns = `id, collection, title, url, lang, category, kind, tags, questions, body, hash, updated_at`

// PutDocument stores a document with its chunks; it reports whether anything changed.
func (s *Store) PutDocument(ctx context.Context, d chat.Document, chunks []chat.Chunk) (bool, error) {
	n, err := s.PutDocuments(ctx, []chat.Document{d}, [][]chat.Chunk{chunks})
	return n > 0, err
}

// PutDocuments stores documents with their chunks in one transaction, pipelined, and returns how
// many changed. A document whose hash is unchanged (and that has chunks) is left alone; chunks
// whose hash is unchanged keep their embeddings.
func (s *Store) PutDocuments(ctx context.Context, docs []chat.Document, chunks [][]chat.Chunk) (int, error) {
	changed := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for i, d := range docs {
			queueDocument(b, d, chunks[i], &changed)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("put documents: %w", err)
	}
	return changed, nil
}

// queueDocument queues the upsert of d and the replacement of its chunks. The chunk statements
// are idempotent, so they run whether or not the document changed.
func queueDocument(b *pgx.Batch, d chat.Document, chunks []chat.Chunk, changed *int) {
	b.Queue(`INSERT INTO documents (`+documentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, title = excluded.title, url = excluded.url,
			lang = excluded.lang, category = excluded.category, kind = excluded.kind, tags = excluded.tags,
			questions = excluded.questions, body = excluded.body, hash = excluded.hash, updated_at = excluded.updated_at
		WHERE documents.hash <> excluded.hash OR NOT EXISTS (SELECT 1 FROM chunks WHERE doc_id = excluded.id)`,
		d.ID, d.Collection, d.Title, d.URL, d.Lang, d.Category, d.Kind, nonNil(d.Tags), nonNil(d.Questions), d.Body, d.Hash, d.UpdatedAt,
	).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() > 0 {
			*changed++
		}
		return nil
	})
	n := len(chunks)
	ids, ords, heads, texts, langs, hashes := make([]string, n), make([]int32, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, c := range chunks {
		ids[i], ords[i], heads[i], texts[i], langs[i], hashes[i] = c.ID, int32(c.Ord), c.Heading, c.Text, c.Lang, c.Hash
	}
	b.Queue(`DELETE FROM chunks c WHERE c.doc_id = $1 AND NOT EXISTS
		(SELECT 1 FROM unnest($2::text[], $3::text[]) n (id, hash) WHERE n.id = c.id AND n.hash = c.hash)`, d.ID, ids, hashes)
	b.Queue(`INSERT INTO chunks (id, doc_id, ord, heading, text, lang, hash)
		SELECT n.id, $1, n.ord, n.heading, n.text, n.lang, n.hash
		FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) n (id, ord, heading, text, lang, hash)
		ON CONFLICT (id) DO NOTHING`, d.ID, ids, ords, heads, texts, langs, hashes)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Documents lists all knowledge documents ordered by id.
func (s *Store) Documents(ctx context.Context) ([]chat.Document, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Document, error) {
		var d chat.Document
		err := r.Scan(&d.ID, &d.Collection, &d.Title, &d.URL, &d.Lang, &d.Category, &d.Kind, &d.Tags, &d.Questions, &d.Body, &d.Hash, &d.UpdatedAt)
		d.UpdatedAt = d.UpdatedAt.UTC()
		if len(d.Tags) == 0 {
			d.Tags = nil
		}
		if len(d.Questions) == 0 {
			d.Questions = nil
		}
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return out, nil
}

// Chunks lists the chunks of one document (docID != "") or of all documents, in order.
func (s *Store) Chunks(ctx context.Context, docID string) ([]chat.Chunk, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, doc_id, ord, heading, text, lang, hash FROM chunks
		WHERE $1 = '' OR doc_id = $1 ORDER BY doc_id, ord`, docID)
	if err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanChunk)
	if err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	return out, nil
}

func scanChunk(r pgx.CollectableRow) (chat.Chunk, error) {
	var c chat.Chunk
	var ord int32
	err := r.Scan(&c.ID, &c.DocID, &ord, &c.Heading, &c.Text, &c.Lang, &c.Hash)
	c.Ord = int(ord)
	return c, err
}

// DeleteDocument removes a knowledge document with its chunks and embeddings.
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

// KnowledgeVersion changes whenever a document is added, changed or deleted, and whenever the
// synonym groups change.
func (s *Store) KnowledgeVersion(ctx context.Context) (string, error) {
	var n, sn int64
	var last, slast *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), max(updated_at), (SELECT count(*) FROM synonyms), (SELECT max(updated_at) FROM synonyms)
		FROM documents`).Scan(&n, &last, &sn, &slast)
	if err != nil {
		return "", fmt.Errorf("knowledge version: %w", err)
	}
	// The update times are in base 36, so that a version in a log line is not a run of digits
	// that the log's masking takes for a card number.
	micros := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return strconv.FormatInt(t.UnixMicro(), 36)
	}
	return fmt.Sprintf("%d:%s:%d:%s", n, micros(last), sn, micros(slast)), nil
}

// MissingEmbeddings returns up to limit chunks that have no current embedding under model.
func (s *Store) MissingEmbeddings(ctx context.Context, model string, limit int) ([]chat.Chunk, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.doc_id, c.ord, c.heading, c.text, c.lang, c.hash, d.title FROM chunks c
		JOIN documents d ON d.id = c.doc_id
		LEFT JOIN embeddings e ON e.model = $1 AND e.chunk_id = c.id AND e.hash = c.hash
		WHERE e.chunk_id IS NULL ORDER BY c.id LIMIT $2`, model, limit)
	if err != nil {
		return nil, fmt.Errorf("missing embeddings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chat.Chunk, error) {
		var c chat.Chunk
		var ord int32
		err := r.Scan(&c.ID, &c.DocID, &ord, &c.Heading, &c.Text, &c.Lang, &c.Hash, &c.Title)
		c.Ord = int(ord)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("missing embeddings: %w", err)
	}
	return out, nil
}

// PutEmbeddings stores vectors under model; a vector for a chunk that has since changed or gone
// is dropped.
func (s *Store) PutEmbeddings(ctx context.Context, model string, es []chat.Embedding) error {
	ids, hashes, vecs := make([]string, len(es)), make([]string, len(es)), make([]pgvector.Vector, len(es))
	for i, e := range es {
		ids[i], hashes[i], vecs[i] = e.ChunkID, e.Hash, pgvector.NewVector(e.Vector)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO embeddings (chunk_id, model, hash, embedding)
		SELECT n.id, $1, n.hash, n.v FROM unnest($2::text[], $3::text[], $4::vector[]) n (id, hash, v)
		JOIN chunks c ON c.id = n.id AND c.hash = n.hash
		ON CONFLICT (model, chunk_id) DO UPDATE SET hash = excluded.hash, embedding = excluded.embedding`, model, ids, hashes, vecs)
	if err != nil {
		return fmt.Errorf("put embeddings: %w", err)
	}
	return nil
}

// EmbeddingStats returns how many chunks exist and how many have a current vector under model.
func (s *Store) EmbeddingStats(ctx context.Context, model string) (chunks, embedded int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM chunks),
		(SELECT count(*) FROM embeddings e JOIN chunks c ON c.id = e.chunk_id AND c.hash = e.hash WHERE e.model = $1)`, model).Scan(&chunks, &embedded)
	if err != nil {
		err = fmt.Errorf("embedding stats: %w", err)
	}
	return chunks, embedded, err
}

// modelName is what an embedding model may be called. The name is part of the partial HNSW
// index's predicate and of the searches that must match it, so it is checked against this
// strict pattern (no quotes, spaces or backslashes) before any statement contains it.
var modelName = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,64}$`)

// maxIndexDims is the most dimensions pgvector's HNSW index takes for the vector type.
const maxIndexDims = 2000

// modelLiteral returns model as an SQL string literal, or an error if it is not a model name.
// A bound parameter would not do here: the planner picks a partial index only when it can prove
// the query's predicate implies the index's, which a generic plan over $n cannot.
func modelLiteral(model string) (string, error) {
	if !modelName.MatchString(model) {
		return "", chat.Errorf(chat.EINVALID, "bad embedding model name %q", model)
	}
	return "'" + model + "'", nil
}

// vectorIndexName is the model's HNSW index name; it depends on the model name alone, so an
// index built by an earlier version is found again.
func vectorIndexName(model string) string {
	return pgx.Identifier{fmt.Sprintf("embeddings_hnsw_%x", fnv32(model))}.Sanitize()
}

// EnsureVectorIndex creates the HNSW index (cosine) for model's vectors of dim dimensions if it
// is missing. The index is partial (one per model) over embedding::vector(dim).
func (s *Store) EnsureVectorIndex(ctx context.Context, model string, dim int) error {
	lit, err := modelLiteral(model)
	if err != nil || dim <= 0 || dim > maxIndexDims {
		return chat.Errorf(chat.EINVALID, "embedding model %q with %d dimensions cannot be indexed (HNSW allows up to %d)", model, dim, maxIndexDims)
	}
	_, err = s.pool.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON embeddings
		USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE model = %s`, vectorIndexName(model), dim, lit))
	if err != nil {
		return fmt.Errorf("create vector index: %w", err)
	}
	return nil
}

// SearchVectors returns the k chunks nearest to v under model by cosine similarity, through the
// model's HNSW index (an approximate search; iterative scans keep filtered queries filled). The
// query vector is a binary pgvector parameter.
func (s *Store) SearchVectors(ctx context.Context, model string, v []float32, k int, f retrieval.Filter) ([]retrieval.VectorHit, error) {
	lit, err := modelLiteral(model)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		return nil, nil // a query with no words embeds to zero, which has no direction (cosine is NaN)
	}
	// The model and dimension are literals so the planner matches the partial expression index.
	// Without a filter the index scan needs no join; with one, iterative scans keep it filling k.
	expr := fmt.Sprintf("e.embedding::vector(%d)", len(v))
	q := fmt.Sprintf(`SELECT e.chunk_id, 1 - (%[1]s <=> $1) FROM embeddings e
		WHERE e.model = %[2]s ORDER BY %[1]s <=> $1 LIMIT $2`, expr, lit)
	args := []any{pgvector.NewVector(v), k}
	if f != (retrieval.Filter{}) {
		q = fmt.Sprintf(`SELECT e.chunk_id, 1 - (%[1]s <=> $1)
			FROM embeddings e JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.id = c.doc_id
			WHERE e.model = %[2]s AND ($3 = '' OR d.collection = $3) AND ($4 = '' OR c.lang = $4) AND ($5 = '' OR d.id <> $5)
			ORDER BY %[1]s <=> $1 LIMIT $2`, expr, lit)
		args = append(args, f.Collection, f.Lang, f.ExcludeDoc)
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search vectors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (retrieval.VectorHit, error) {
		var h retrieval.VectorHit
		err := r.Scan(&h.ChunkID, &h.Score)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("search vectors: %w", err)
	}
	return out, nil
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// Analyze refreshes the planner's statistics after a large import, so vector searches use the
// HNSW index at once instead of waiting for autovacuum.
func (s *Store) Analyze(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `ANALYZE documents, chunks, embeddings`)
	return err
}
