CREATE TABLE intents (
	name       TEXT PRIMARY KEY,
	action     TEXT NOT NULL,
	answer     TEXT NOT NULL DEFAULT '',
	team       TEXT NOT NULL DEFAULT '',
	priority   TEXT NOT NULL DEFAULT '',
	examples   TEXT NOT NULL, -- JSON array of strings
	updated_at INTEGER NOT NULL
);
