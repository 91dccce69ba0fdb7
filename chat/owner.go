package chat

// CanTransition reports whether the owner may move from one state to another:
// bot → waiting → human → bot | closed, waiting → bot (customer goes back), any → closed,
// closed → bot on a new message, and human → human (a transfer to another agent).
func CanTransition(from, to Owner) bool {
	switch from {
	case OwnerBot:
		return to == OwnerWaiting || to == OwnerClosed || to == OwnerHuman
	case OwnerWaiting:
		return to == OwnerHuman || to == OwnerBot || to == OwnerClosed
	case OwnerHuman:
		return to == OwnerBot || to == OwnerClosed || to == OwnerWaiting || to == OwnerHuman
	case OwnerClosed:
		return to == OwnerBot
	}
	return false
}

// OwnerConflict explains why a move did not apply, given the conversation's actual owner and
// assignee: someone else took it, or it is in another state.
func OwnerConflict(t Transition, owner Owner, assignee string) error {
	switch {
	case owner == OwnerHuman && t.From == OwnerWaiting:
		return Errorf(ECONFLICT, "conversation is already taken by %s", assignee)
	case owner == t.From && t.FromAssignee != "" && assignee != t.FromAssignee:
		return Errorf(ECONFLICT, "conversation is now with %s, not %s", assignee, t.FromAssignee)
	case owner == OwnerClosed:
		return Errorf(ECONFLICT, "conversation is closed")
	}
	return Errorf(ECONFLICT, "conversation is %s, not %s", owner, t.From)
}
