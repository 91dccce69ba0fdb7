-- Thumbs up or down on a bot answer, from the widget or the app API.
CREATE TABLE feedback (
	message_id      INTEGER PRIMARY KEY REFERENCES messages(id),
	conversation_id TEXT NOT NULL,
	helpful         INTEGER NOT NULL,
	created_at      INTEGER NOT NULL
);
