-- Analytics reads conversations by creation time.
CREATE INDEX conversations_created ON conversations (created_at);
