CREATE TABLE customers (
	id          TEXT PRIMARY KEY,
	channel     TEXT NOT NULL,
	external_id TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	attrs       TEXT NOT NULL DEFAULT '{}',
	created_at  INTEGER NOT NULL,
	UNIQUE (channel, external_id)
);

CREATE TABLE conversations (
	id          TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	channel     TEXT NOT NULL,
	owner       TEXT NOT NULL,
	lang        TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, updated_at);

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL REFERENCES conversations(id),
	author          TEXT NOT NULL,
	text            TEXT NOT NULL,
	sources         TEXT NOT NULL DEFAULT '[]',
	confidence      REAL,
	decision        TEXT NOT NULL DEFAULT '',
	reason          TEXT NOT NULL DEFAULT '',
	channel         TEXT NOT NULL DEFAULT '',
	external_id     TEXT,
	created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE transitions (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL REFERENCES conversations(id),
	from_owner      TEXT NOT NULL,
	to_owner        TEXT NOT NULL,
	actor           TEXT NOT NULL,
	reason          TEXT NOT NULL,
	at              INTEGER NOT NULL
);
CREATE INDEX transitions_conversation ON transitions (conversation_id, id);

CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	message_id   INTEGER NOT NULL UNIQUE REFERENCES messages(id),
	channel      TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      INTEGER NOT NULL,
	delivered_at INTEGER,
	last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;

CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE accounts (
	username      TEXT PRIMARY KEY,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    INTEGER NOT NULL
);

CREATE TABLE documents (
	id         TEXT PRIMARY KEY,
	collection TEXT NOT NULL DEFAULT '',
	title      TEXT NOT NULL,
	url        TEXT NOT NULL DEFAULT '',
	lang       TEXT NOT NULL DEFAULT '',
	category   TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL,
	hash       TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
