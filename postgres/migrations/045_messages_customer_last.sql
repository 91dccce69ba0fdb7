-- When the customer last wrote in a conversation (chat.Conversation.LastCustomerAt, read with
-- every conversation and with every inbound message) is this index's last entry for the
-- conversation, instead of a scan of all the conversation's messages.
CREATE INDEX messages_customer_last ON messages (conversation_id, created_at) WHERE author = 'customer';
