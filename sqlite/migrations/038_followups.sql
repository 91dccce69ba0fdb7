-- The consent ledger (what was agreed or withdrawn, when, where, how) and the follow-ups
-- scheduled after a conversation closes, with why one was not sent.
CREATE TABLE consents (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	customer_id TEXT NOT NULL,
	channel     TEXT NOT NULL,
	purpose     TEXT NOT NULL,
	granted     INTEGER NOT NULL,
	text        TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL,
	evidence    TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL
);
CREATE INDEX consents_customer ON consents (customer_id, id);

CREATE TABLE followups (
	id              TEXT PRIMARY KEY,
	customer_id     TEXT NOT NULL,
	conversation_id TEXT NOT NULL,
	channel         TEXT NOT NULL,
	kind            TEXT NOT NULL,
	text            TEXT NOT NULL,
	due_at          INTEGER NOT NULL,
	status          TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	message_id      INTEGER NOT NULL DEFAULT 0,
	created_by      TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	done_at         INTEGER
);
CREATE INDEX followups_due ON followups (status, due_at);
CREATE INDEX followups_conversation ON followups (conversation_id, created_at);
