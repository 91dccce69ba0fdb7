-- Human takeover: who holds a conversation, since when it waits, its first-response target.
ALTER TABLE conversations ADD COLUMN assignee text NOT NULL DEFAULT '',
	ADD COLUMN reason text NOT NULL DEFAULT '',
	ADD COLUMN queued_at timestamptz,
	ADD COLUMN first_response_due timestamptz,
	ADD COLUMN sla_breached_at timestamptz;
CREATE INDEX conversations_owner ON conversations (owner, assignee);
ALTER TABLE transitions ADD COLUMN assignee text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN agent text NOT NULL DEFAULT '';

-- Agents' routing state; the account holds the password and role.
CREATE TABLE agents (
	username text PRIMARY KEY,
	name     text NOT NULL DEFAULT '',
	status   text NOT NULL DEFAULT 'offline',
	capacity int NOT NULL DEFAULT 5,
	teams    jsonb NOT NULL DEFAULT '[]',
	seen_at  timestamptz NOT NULL DEFAULT now()
);

-- The bot's drafts while a person owns a conversation, and what the agent sent instead.
CREATE TABLE drafts (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations(id),
	message_id      bigint NOT NULL,
	text            text NOT NULL,
	sources         jsonb NOT NULL DEFAULT '[]',
	confidence      double precision NOT NULL DEFAULT 0,
	decision        text NOT NULL DEFAULT '',
	agent           text NOT NULL DEFAULT '',
	final           text NOT NULL DEFAULT '',
	sent_id         bigint NOT NULL DEFAULT 0,
	edit_distance   int,
	created_at      timestamptz NOT NULL,
	sent_at         timestamptz
);
CREATE INDEX drafts_conversation ON drafts (conversation_id, id);

CREATE TABLE notes (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations(id),
	author          text NOT NULL,
	text            text NOT NULL,
	created_at      timestamptz NOT NULL
);
CREATE INDEX notes_conversation ON notes (conversation_id, id);

CREATE TABLE ratings (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations(id),
	score           int NOT NULL,
	comment         text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL
);
CREATE INDEX ratings_conversation ON ratings (conversation_id);
