-- Where a handoff should go: the team (skill) and priority an intent policy asked for.
ALTER TABLE conversations ADD COLUMN team text NOT NULL DEFAULT '', ADD COLUMN priority text NOT NULL DEFAULT '';
ALTER TABLE transitions ADD COLUMN team text NOT NULL DEFAULT '', ADD COLUMN priority text NOT NULL DEFAULT '';
