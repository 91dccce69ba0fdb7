-- Writes that need an agent's approval: what the customer asked, what would be sent, and the
-- agent's decision.
CREATE TABLE action_proposals (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id TEXT NOT NULL,
	action          TEXT NOT NULL,
	args            TEXT NOT NULL, -- JSON
	customer_text   TEXT NOT NULL DEFAULT '',
	request         TEXT NOT NULL, -- JSON action.Request
	status          TEXT NOT NULL, -- pending, approved, rejected, failed
	decided_by      TEXT NOT NULL DEFAULT '',
	result          TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	decided_at      INTEGER
);
CREATE INDEX action_proposals_conversation ON action_proposals (conversation_id);
