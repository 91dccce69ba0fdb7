-- Admin-defined bot actions (the definition as JSON), every call made, and the action an
-- intent's policy runs.
CREATE TABLE actions (
	name       text PRIMARY KEY,
	definition jsonb NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE TABLE action_calls (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	action          text NOT NULL,
	conversation_id text NOT NULL DEFAULT '',
	args            jsonb NOT NULL DEFAULT '{}', -- values masked
	status          text NOT NULL,
	http_status     int NOT NULL DEFAULT 0,
	latency_ms      double precision NOT NULL,
	error           text NOT NULL DEFAULT '',
	at              timestamptz NOT NULL
);
CREATE INDEX action_calls_at ON action_calls (at);
ALTER TABLE intents ADD COLUMN run text NOT NULL DEFAULT '';
