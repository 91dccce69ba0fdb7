package chat

// CanTransition reports whether the owner may move from one state to another:
// bot → waiting → human → bot | closed, waiting → bot (customer goes back), any → closed,
// closed → bot on a new message.
func CanTransition(from, to Owner) bool {
	switch from {
	case OwnerBot:
		return to == OwnerWaiting || to == OwnerClosed || to == OwnerHuman
	case OwnerWaiting:
		return to == OwnerHuman || to == OwnerBot || to == OwnerClosed
	case OwnerHuman:
		return to == OwnerBot || to == OwnerClosed || to == OwnerWaiting
	case OwnerClosed:
		return to == OwnerBot
	}
	return false
}
