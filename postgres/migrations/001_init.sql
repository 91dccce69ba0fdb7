CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE customers (
	id          text PRIMARY KEY,
	channel     text NOT NULL,
	external_id text NOT NULL,
	name        text NOT NULL DEFAULT '',
	attrs       jsonb NOT NULL DEFAULT '{}',
	created_at  timestamptz NOT NULL,
	UNIQUE (channel, external_id)
);

CREATE TABLE conversations (
	id          text PRIMARY KEY,
	customer_id text NOT NULL REFERENCES customers(id),
	channel     text NOT NULL,
	owner       text NOT NULL,
	lang        text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, updated_at);

CREATE TABLE messages (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations(id),
	author          text NOT NULL,
	text            text NOT NULL,
	sources         jsonb NOT NULL DEFAULT '[]',
	confidence      double precision,
	decision        text NOT NULL DEFAULT '',
	reason          text NOT NULL DEFAULT '',
	channel         text NOT NULL DEFAULT '',
	external_id     text,
	created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE transitions (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations(id),
	from_owner      text NOT NULL,
	to_owner        text NOT NULL,
	actor           text NOT NULL,
	reason          text NOT NULL,
	at              timestamptz NOT NULL
);
CREATE INDEX transitions_conversation ON transitions (conversation_id, id);

CREATE TABLE outbox (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	message_id   bigint NOT NULL UNIQUE REFERENCES messages(id),
	channel      text NOT NULL,
	attempts     int NOT NULL DEFAULT 0,
	next_at      timestamptz NOT NULL,
	delivered_at timestamptz,
	last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;

CREATE TABLE api_keys (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	hash       text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

CREATE TABLE accounts (
	username      text PRIMARY KEY,
	role          text NOT NULL,
	password_hash text NOT NULL,
	created_at    timestamptz NOT NULL
);

CREATE TABLE documents (
	id         text PRIMARY KEY,
	collection text NOT NULL DEFAULT '',
	title      text NOT NULL,
	url        text NOT NULL DEFAULT '',
	lang       text NOT NULL DEFAULT '',
	category   text NOT NULL DEFAULT '',
	body       text NOT NULL,
	hash       text NOT NULL,
	updated_at timestamptz NOT NULL
);
