-- One row that /readyz rewrites: readiness is a real write, so a full disk or a read-only
-- database reads as not ready.
CREATE TABLE heartbeat (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL
);
