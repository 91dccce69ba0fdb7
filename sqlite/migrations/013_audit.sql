-- Who did what in the consoles and the admin API; accounts can be disabled.
CREATE TABLE audit_log (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     INTEGER NOT NULL,
	actor  TEXT NOT NULL,
	role   TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	status INTEGER NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
ALTER TABLE accounts ADD COLUMN disabled_at INTEGER;
