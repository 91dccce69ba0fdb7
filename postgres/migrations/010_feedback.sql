-- Thumbs up or down on a bot answer, from the widget or the app API.
CREATE TABLE feedback (
	message_id      bigint PRIMARY KEY REFERENCES messages(id),
	conversation_id text NOT NULL,
	helpful         boolean NOT NULL,
	created_at      timestamptz NOT NULL
);
