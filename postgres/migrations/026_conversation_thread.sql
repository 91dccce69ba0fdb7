-- A platform with several conversations per user (Chatwoot) names the one a Tandem conversation
-- belongs to: one Tandem conversation per (channel, thread), found again by the thread, and
-- replies go to that thread. '' is a channel with one conversation per user.
ALTER TABLE conversations ADD COLUMN thread TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX conversations_channel_thread ON conversations (channel, thread) WHERE thread <> '';
