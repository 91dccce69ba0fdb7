-- Token buckets shared by every replica (httpapi.Limiter.Share): one row per limiter and key,
-- the key hashed so no address or visitor id is stored. Rows idle for ten minutes are swept.
CREATE TABLE rate_buckets (
	key bytea PRIMARY KEY,
	tokens double precision NOT NULL,
	at timestamptz NOT NULL
);
CREATE INDEX rate_buckets_at ON rate_buckets (at);
