// Package handoff holds Tandem's routing rules for conversations handed to people: business
// hours, queue order, the choice of agent for automatic assignment, first-response SLA targets,
// wait estimates, agent presence and the edit distance between a bot draft and what was sent.
//
// Everything here is pure: functions of their arguments and the clock passed in. Storage, state
// changes and events live elsewhere (the store, conversation and realtime packages).
package handoff
