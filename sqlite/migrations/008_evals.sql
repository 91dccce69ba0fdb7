-- The eval loop: captured review candidates, eval sets with their cases, runs and per-case results.
CREATE TABLE review_items (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	dedupe          TEXT NOT NULL UNIQUE,
	reason          TEXT NOT NULL,
	conversation_id TEXT NOT NULL,
	message_id      INTEGER NOT NULL DEFAULT 0,
	channel         TEXT NOT NULL DEFAULT '',
	intent          TEXT NOT NULL DEFAULT '',
	text            TEXT NOT NULL,
	bot_answer      TEXT NOT NULL DEFAULT '',
	answer          TEXT NOT NULL DEFAULT '',
	confidence      REAL NOT NULL DEFAULT 0,
	sources         TEXT NOT NULL DEFAULT '[]',
	status          TEXT NOT NULL DEFAULT 'open',
	created_at      INTEGER NOT NULL
);
CREATE INDEX review_items_status ON review_items (status, id);
CREATE INDEX review_items_conversation ON review_items (conversation_id);

CREATE TABLE eval_sets (
	name       TEXT PRIMARY KEY,
	created_at INTEGER NOT NULL
);
CREATE TABLE eval_cases (
	set_name TEXT NOT NULL REFERENCES eval_sets(name) ON DELETE CASCADE,
	id       TEXT NOT NULL,
	ord      INTEGER NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (set_name, id)
);
CREATE TABLE eval_runs (
	id         TEXT PRIMARY KEY,
	set_name   TEXT NOT NULL,
	baseline   TEXT NOT NULL DEFAULT '',
	config     TEXT NOT NULL DEFAULT '{}',
	metrics    TEXT NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL
);
CREATE INDEX eval_runs_set ON eval_runs (set_name, created_at);
CREATE TABLE eval_results (
	run_id  TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
	case_id TEXT NOT NULL,
	ord     INTEGER NOT NULL,
	body    TEXT NOT NULL,
	PRIMARY KEY (run_id, case_id)
);
