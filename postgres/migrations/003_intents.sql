CREATE TABLE intents (
	name       text PRIMARY KEY,
	action     text NOT NULL,
	answer     text NOT NULL DEFAULT '',
	team       text NOT NULL DEFAULT '',
	priority   text NOT NULL DEFAULT '',
	examples   text[] NOT NULL,
	updated_at timestamptz NOT NULL
);
