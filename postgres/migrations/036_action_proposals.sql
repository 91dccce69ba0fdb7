-- Writes that need an agent's approval: what the customer asked, what would be sent, and the
-- agent's decision.
CREATE TABLE action_proposals (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id text NOT NULL,
	action          text NOT NULL,
	args            jsonb NOT NULL,
	customer_text   text NOT NULL DEFAULT '',
	request         jsonb NOT NULL,
	status          text NOT NULL, -- pending, approved, rejected, failed
	decided_by      text NOT NULL DEFAULT '',
	result          text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	decided_at      timestamptz
);
CREATE INDEX action_proposals_conversation ON action_proposals (conversation_id);
