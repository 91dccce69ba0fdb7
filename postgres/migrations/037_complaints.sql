-- Complaint cases: a numbered case with its linked conversations, owner, status and the
-- decision clock, and its timeline (every step with actor and time).
-- Customer and conversation ids are not foreign keys: erasing a customer does not yet cover
-- complaint cases (complaint records are kept for the regulator; see README).
CREATE TABLE complaint_cases (
	id          text PRIMARY KEY,
	number      text NOT NULL UNIQUE,
	customer_id text NOT NULL,
	channel     text NOT NULL,
	lang        text NOT NULL DEFAULT '',
	category    text NOT NULL,
	severity    text NOT NULL,
	owner       text NOT NULL DEFAULT '',
	status      text NOT NULL,
	summary     text NOT NULL DEFAULT '',
	decision    text NOT NULL DEFAULT '',
	resolution  text NOT NULL DEFAULT '',
	root_cause  text NOT NULL DEFAULT '',
	extension   integer NOT NULL DEFAULT 0,
	reopens     integer NOT NULL DEFAULT 0,
	received_at timestamptz NOT NULL,
	due_at      timestamptz NOT NULL,
	decided_at  timestamptz,
	closed_at   timestamptz,
	paused_at   timestamptz,
	reminded_at timestamptz,
	breached_at timestamptz,
	updated_at  timestamptz NOT NULL
);
CREATE INDEX complaint_cases_customer ON complaint_cases (customer_id, received_at);
CREATE INDEX complaint_cases_open ON complaint_cases (status, due_at);
CREATE INDEX complaint_cases_received ON complaint_cases (received_at);

CREATE TABLE complaint_conversations (
	case_id         text NOT NULL REFERENCES complaint_cases(id),
	conversation_id text NOT NULL,
	linked_at       timestamptz NOT NULL,
	PRIMARY KEY (case_id, conversation_id)
);
CREATE INDEX complaint_conversations_conversation ON complaint_conversations (conversation_id);

CREATE TABLE complaint_steps (
	id          bigserial PRIMARY KEY,
	case_id     text NOT NULL REFERENCES complaint_cases(id),
	kind        text NOT NULL,
	from_status text NOT NULL DEFAULT '',
	to_status   text NOT NULL DEFAULT '',
	actor       text NOT NULL,
	note        text NOT NULL DEFAULT '',
	at          timestamptz NOT NULL
);
CREATE INDEX complaint_steps_case ON complaint_steps (case_id, id);
