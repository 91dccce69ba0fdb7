-- The intent a bot message answered (for the analytics' intent mix).
ALTER TABLE messages ADD COLUMN intent text NOT NULL DEFAULT '';
