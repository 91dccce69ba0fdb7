package chat

// Preview is what a list of conversations shows of one: its customer and its last message.
type Preview struct {
	Customer Customer
	Last     *Message // nil for a conversation without messages
}

// BuildPreviews joins conversations with their customers and last messages, by conversation id.
func BuildPreviews(convs []Conversation, customers []Customer, last []Message) map[string]Preview {
	byID := make(map[string]Customer, len(customers))
	for _, c := range customers {
		byID[c.ID] = c
	}
	lastBy := make(map[string]*Message, len(last))
	for i := range last {
		lastBy[last[i].ConversationID] = &last[i]
	}
	out := make(map[string]Preview, len(convs))
	for _, c := range convs {
		out[c.ID] = Preview{Customer: byID[c.CustomerID], Last: lastBy[c.ID]}
	}
	return out
}

// ConversationIDs lists the conversations' ids and their customers' ids.
func ConversationIDs(convs []Conversation) (ids, customerIDs []string) {
	ids, customerIDs = make([]string, 0, len(convs)), make([]string, 0, len(convs))
	for _, c := range convs {
		ids, customerIDs = append(ids, c.ID), append(customerIDs, c.CustomerID)
	}
	return ids, customerIDs
}
