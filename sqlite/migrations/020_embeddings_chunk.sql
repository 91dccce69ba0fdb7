-- Deleting a chunk cascades to its embeddings; without an index on chunk_id every chunk of a
-- deleted document scanned the whole table (a 4,000-chunk document took 54 s on SQLite).
CREATE INDEX IF NOT EXISTS embeddings_chunk ON embeddings (chunk_id);
