ALTER TABLE documents
	ADD COLUMN kind text NOT NULL DEFAULT '',
	ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
	ADD COLUMN questions text[] NOT NULL DEFAULT '{}';

CREATE TABLE chunks (
	id      text PRIMARY KEY,
	doc_id  text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	ord     int NOT NULL,
	heading text NOT NULL DEFAULT '',
	text    text NOT NULL,
	lang    text NOT NULL DEFAULT '',
	hash    text NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc_id, ord);

-- One vector per chunk and embedding model. The column has no fixed dimension so models of any
-- size share it; each model gets a partial HNSW index on embedding::vector(dim) (EnsureVectorIndex).
CREATE TABLE embeddings (
	chunk_id  text NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
	model     text NOT NULL,
	hash      text NOT NULL,
	embedding vector NOT NULL,
	PRIMARY KEY (model, chunk_id)
);
