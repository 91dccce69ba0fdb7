ALTER TABLE intents ADD COLUMN answers TEXT NOT NULL DEFAULT '{}'; -- JSON: language → canned answer

-- Settings trainers change at run time, e.g. the target precision.
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);
