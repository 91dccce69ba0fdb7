-- Console sessions: a random token per sign-in, stored as its SHA-256, checked on every request,
-- deleted on logout and when the account is disabled or re-created (new role or password).
CREATE TABLE sessions (
	hash       text PRIMARY KEY,
	username   text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_username ON sessions (username);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
