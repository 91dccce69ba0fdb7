-- Human takeover: who holds a conversation, since when it waits, its first-response target.
ALTER TABLE conversations ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN queued_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN first_response_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN sla_breached_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversations_owner ON conversations (owner, assignee);
ALTER TABLE transitions ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN agent TEXT NOT NULL DEFAULT '';

-- Agents' routing state; the account holds the password and role.
CREATE TABLE agents (
	username TEXT PRIMARY KEY,
	name     TEXT NOT NULL DEFAULT '',
	status   TEXT NOT NULL DEFAULT 'offline',
	capacity INTEGER NOT NULL DEFAULT 5,
	teams    TEXT NOT NULL DEFAULT '[]',
	seen_at  INTEGER NOT NULL DEFAULT 0
);

-- The bot's drafts while a person owns a conversation, and what the agent sent instead.
CREATE TABLE drafts (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL REFERENCES conversations(id),
	message_id      INTEGER NOT NULL,
	text            TEXT NOT NULL,
	sources         TEXT NOT NULL DEFAULT '[]',
	confidence      REAL NOT NULL DEFAULT 0,
	decision        TEXT NOT NULL DEFAULT '',
	agent           TEXT NOT NULL DEFAULT '',
	final           TEXT NOT NULL DEFAULT '',
	sent_id         INTEGER NOT NULL DEFAULT 0,
	edit_distance   INTEGER,
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER
);
CREATE INDEX drafts_conversation ON drafts (conversation_id, id);

CREATE TABLE notes (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL REFERENCES conversations(id),
	author          TEXT NOT NULL,
	text            TEXT NOT NULL,
	created_at      INTEGER NOT NULL
);
CREATE INDEX notes_conversation ON notes (conversation_id, id);

CREATE TABLE ratings (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL REFERENCES conversations(id),
	score           INTEGER NOT NULL,
	comment         TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL
);
CREATE INDEX ratings_conversation ON ratings (conversation_id);
