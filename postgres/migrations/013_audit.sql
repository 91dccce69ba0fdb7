-- Who did what in the consoles and the admin API; accounts can be disabled.
CREATE TABLE audit_log (
	id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at     timestamptz NOT NULL,
	actor  text NOT NULL,
	role   text NOT NULL,
	action text NOT NULL,
	target text NOT NULL DEFAULT '',
	status int NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
ALTER TABLE accounts ADD COLUMN disabled_at timestamptz;
