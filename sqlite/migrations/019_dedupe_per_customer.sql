-- Inbound de-duplication is scoped to the conversation's customer: another customer reusing an
-- external id (the app API's external_id, the generic webhook's message_id) is a new message, not
-- a duplicate of someone else's.
ALTER TABLE messages ADD COLUMN customer_id TEXT;
UPDATE messages SET customer_id = (SELECT customer_id FROM conversations WHERE conversations.id = messages.conversation_id)
	WHERE external_id IS NOT NULL;
DROP INDEX messages_external;
CREATE UNIQUE INDEX messages_external_customer ON messages (channel, customer_id, external_id) WHERE external_id IS NOT NULL;
