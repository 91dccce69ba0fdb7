-- The consent ledger (what was agreed or withdrawn, when, where, how) and the follow-ups
-- scheduled after a conversation closes, with why one was not sent.
CREATE TABLE consents (
	id          bigserial PRIMARY KEY,
	customer_id text NOT NULL,
	channel     text NOT NULL,
	purpose     text NOT NULL,
	granted     boolean NOT NULL,
	text        text NOT NULL DEFAULT '',
	source      text NOT NULL,
	evidence    text NOT NULL DEFAULT '',
	at          timestamptz NOT NULL
);
CREATE INDEX consents_customer ON consents (customer_id, id);

CREATE TABLE followups (
	id              text PRIMARY KEY,
	customer_id     text NOT NULL,
	conversation_id text NOT NULL,
	channel         text NOT NULL,
	kind            text NOT NULL,
	text            text NOT NULL,
	due_at          timestamptz NOT NULL,
	status          text NOT NULL,
	reason          text NOT NULL DEFAULT '',
	message_id      bigint NOT NULL DEFAULT 0,
	created_by      text NOT NULL,
	created_at      timestamptz NOT NULL,
	done_at         timestamptz
);
CREATE INDEX followups_due ON followups (status, due_at);
CREATE INDEX followups_conversation ON followups (conversation_id, created_at);
