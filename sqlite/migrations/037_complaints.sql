-- Complaint cases: a numbered case with its linked conversations, owner, status and the
-- decision clock, and its timeline (every step with actor and time).
-- Customer and conversation ids are not foreign keys: erasing a customer does not yet cover
-- complaint cases (complaint records are kept for the regulator; see README).
CREATE TABLE complaint_cases (
	id          TEXT PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	customer_id TEXT NOT NULL,
	channel     TEXT NOT NULL,
	lang        TEXT NOT NULL DEFAULT '',
	category    TEXT NOT NULL,
	severity    TEXT NOT NULL,
	owner       TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	summary     TEXT NOT NULL DEFAULT '',
	decision    TEXT NOT NULL DEFAULT '',
	resolution  TEXT NOT NULL DEFAULT '',
	root_cause  TEXT NOT NULL DEFAULT '',
	extension   INTEGER NOT NULL DEFAULT 0,
	reopens     INTEGER NOT NULL DEFAULT 0,
	received_at INTEGER NOT NULL,
	due_at      INTEGER NOT NULL,
	decided_at  INTEGER,
	closed_at   INTEGER,
	paused_at   INTEGER,
	reminded_at INTEGER,
	breached_at INTEGER,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX complaint_cases_customer ON complaint_cases (customer_id, received_at);
CREATE INDEX complaint_cases_open ON complaint_cases (status, due_at);
CREATE INDEX complaint_cases_received ON complaint_cases (received_at);

CREATE TABLE complaint_conversations (
	case_id         TEXT NOT NULL REFERENCES complaint_cases(id),
	conversation_id TEXT NOT NULL,
	linked_at       INTEGER NOT NULL,
	PRIMARY KEY (case_id, conversation_id)
);
CREATE INDEX complaint_conversations_conversation ON complaint_conversations (conversation_id);

CREATE TABLE complaint_steps (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id   TEXT NOT NULL REFERENCES complaint_cases(id),
	kind      TEXT NOT NULL,
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL DEFAULT '',
	actor     TEXT NOT NULL,
	note      TEXT NOT NULL DEFAULT '',
	at        INTEGER NOT NULL
);
CREATE INDEX complaint_steps_case ON complaint_steps (case_id, id);
