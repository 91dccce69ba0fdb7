ALTER TABLE intents ADD COLUMN answers jsonb NOT NULL DEFAULT '{}'; -- language → canned answer

-- Settings trainers change at run time, e.g. the target precision.
CREATE TABLE settings (
	key        text PRIMARY KEY,
	value      text NOT NULL,
	updated_at timestamptz NOT NULL
);
