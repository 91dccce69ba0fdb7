ALTER TABLE documents ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE documents ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';

CREATE TABLE chunks (
	id      TEXT PRIMARY KEY,
	doc_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	ord     INTEGER NOT NULL,
	heading TEXT NOT NULL DEFAULT '',
	text    TEXT NOT NULL,
	lang    TEXT NOT NULL DEFAULT '',
	hash    TEXT NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc_id, ord);

-- One vector per chunk and embedding model, little-endian float32s; hash is the chunk's hash
-- when it was embedded.
CREATE TABLE embeddings (
	chunk_id TEXT NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
	model    TEXT NOT NULL,
	hash     TEXT NOT NULL,
	vec      BLOB NOT NULL,
	PRIMARY KEY (model, chunk_id)
);
