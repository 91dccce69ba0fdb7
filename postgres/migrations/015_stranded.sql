-- A customer message the bot never answered because the server died in between is answered by
-- the recovery loop once: recovered_at marks the message taken, by whichever replica got it first.
ALTER TABLE messages ADD COLUMN recovered_at timestamptz;
CREATE INDEX conversations_owner_updated ON conversations (owner, updated_at);
