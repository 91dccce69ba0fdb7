-- An API key opens only the APIs its scopes name (comma-separated); existing keys keep both.
ALTER TABLE api_keys ADD COLUMN scopes text NOT NULL DEFAULT 'conversations,knowledge';
