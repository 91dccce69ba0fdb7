-- Where a handoff should go: the team (skill) and priority an intent policy asked for.
ALTER TABLE conversations ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN priority TEXT NOT NULL DEFAULT '';
ALTER TABLE transitions ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE transitions ADD COLUMN priority TEXT NOT NULL DEFAULT '';
