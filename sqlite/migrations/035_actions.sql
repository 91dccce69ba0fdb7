-- Admin-defined bot actions (the definition as JSON), every call made, and the action an
-- intent's policy runs.
CREATE TABLE actions (
	name       TEXT PRIMARY KEY,
	definition TEXT NOT NULL, -- JSON action.Definition
	updated_at INTEGER NOT NULL
);
CREATE TABLE action_calls (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	action          TEXT NOT NULL,
	conversation_id TEXT NOT NULL DEFAULT '',
	args            TEXT NOT NULL DEFAULT '{}', -- JSON, values masked
	status          TEXT NOT NULL,
	http_status     INTEGER NOT NULL DEFAULT 0,
	latency_ms      REAL NOT NULL,
	error           TEXT NOT NULL DEFAULT '',
	at              INTEGER NOT NULL
);
CREATE INDEX action_calls_at ON action_calls (at);
ALTER TABLE intents ADD COLUMN run TEXT NOT NULL DEFAULT '';
