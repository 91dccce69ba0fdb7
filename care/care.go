// Package care holds the priority-care rules (适老化): which customers get a person in one step
// and are served first, and the bot that applies them.
package care

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tandem/bot"
	"tandem/chat"
	"tandem/conversation"
)

// Reason is the handoff reason of every care routing decision.
const Reason = "care"

// Modes: when a care customer skips the bot.
const (
	ModeRequest = "request" // on asking for a person: one step, no questions
	ModeAlways  = "always"  // every message goes to a person
)

// Routes: where a care customer's handoff goes.
const (
	RoutePriority = "priority" // the front of the usual queue (high priority)
	RouteTeam     = "team"     // the care team's queue, at high priority
)

// DefaultAge is the age from which customers get care by default.
const DefaultAge = 65

// Rules are the care rules (TANDEM_CARE, JSON).
type Rules struct {
	// Age: customers this old or older (by a verified birth date or age) get care; 0 is DefaultAge,
	// a negative age turns the age rule off.
	Age  int    `json:"age"`
	Mode string `json:"mode"` // ModeRequest (default) or ModeAlways
	// Route is RoutePriority (default) or RouteTeam, to Team (default "care").
	Route string `json:"route"`
	Team  string `json:"team"`
}

// ParseRules reads Rules from JSON ("" is the defaults).
func ParseRules(s string) (Rules, error) {
	var r Rules
	if s != "" {
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return r, fmt.Errorf("care rules: %w", err)
		}
	}
	if r.Age == 0 {
		r.Age = DefaultAge
	}
	r.Mode, r.Route = strings.ToLower(r.Mode), strings.ToLower(r.Route)
	if r.Mode == "" {
		r.Mode = ModeRequest
	}
	if r.Route == "" {
		r.Route = RoutePriority
	}
	if r.Team == "" {
		r.Team = "care"
	}
	if r.Mode != ModeRequest && r.Mode != ModeAlways {
		return r, fmt.Errorf("care rules: mode must be %s or %s", ModeRequest, ModeAlways)
	}
	if r.Route != RoutePriority && r.Route != RouteTeam {
		return r, fmt.Errorf("care rules: route must be %s or %s", RoutePriority, RouteTeam)
	}
	return r, nil
}

// Customer attributes the rules read. They come from verified sources only: a site's identity
// token (birthdate, care), an integration through the app API, or an agent (care).
const (
	AttrCare      = "care"       // "true": care regardless of age
	AttrBirthDate = "birth_date" // YYYY-MM-DD
	AttrAge       = "age"        // whole years, when only the age is known
)

// Applies reports whether the customer gets care at now.
func (r Rules) Applies(cu chat.Customer, now time.Time) bool {
	if v, ok := cu.Attrs[AttrCare]; ok {
		if on, err := strconv.ParseBool(v); err == nil {
			return on
		}
	}
	if r.Age < 0 {
		return false
	}
	age, ok := Age(cu.Attrs, now)
	return ok && age >= r.Age
}

// Age is the customer's age at now from their birth date, else their stated age.
func Age(attrs map[string]string, now time.Time) (int, bool) {
	if b, err := time.Parse(time.DateOnly, attrs[AttrBirthDate]); err == nil && !b.After(now) {
		y := now.Year() - b.Year()
		if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
			y--
		}
		return y, true
	}
	if n, err := strconv.Atoi(attrs[AttrAge]); err == nil && n >= 0 && n < 150 {
		return n, true
	}
	return 0, false
}

// Customers looks customers up.
type Customers interface {
	Customer(ctx context.Context, id string) (chat.Customer, error)
}

// DraftingBot is the bot the conversation core runs: it answers and drafts.
type DraftingBot interface {
	conversation.Bot
	conversation.Drafter
}

// Bot applies the care rules before Next: a care customer asking for a person (or, in
// ModeAlways, saying anything) is handed off at once at high priority with reason "care".
type Bot struct {
	Next      DraftingBot
	Rules     Rules
	Customers Customers
	Now       func() time.Time
}

// Turn implements conversation.Bot.
func (b Bot) Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	if b.Rules.Mode == ModeAlways || bot.WantsHuman(text) {
		cu, err := b.Customers.Customer(ctx, conv.CustomerID)
		if err != nil {
			return chat.Reply{}, err
		}
		if b.Rules.Applies(cu, b.Now()) {
			return b.handoff(conv, text), nil
		}
	}
	return b.Next.Turn(ctx, conv, history, text, stream)
}

func (b Bot) handoff(conv chat.Conversation, text string) chat.Reply {
	lang := conv.Lang
	if lang == "" {
		lang = bot.Lang(text)
	}
	r := chat.Reply{Text: chat.Notice(chat.NoticeHandoff, lang), Decision: chat.DecisionHandoff, Reason: Reason, Priority: "high", Confidence: 1}
	if b.Rules.Route == RouteTeam {
		r.Team = b.Rules.Team
	}
	return r
}

// Draft implements conversation.Drafter.
func (b Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	return b.Next.Draft(ctx, history, text, stream)
}
