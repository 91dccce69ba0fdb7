package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"tandem/chat"
)

// GeneratedDays is how many days a generated history spans from its start.
const GeneratedDays = 3

// History is a generated set of conversations and the Report that conversations created in
// [From, To) must produce. Want is worked out from what the generator decided for each
// conversation (its scenario and the durations it drew), not through Facts or Compute, so it
// checks both a store's queries and Compute.
type History struct {
	From, To      time.Time
	Conversations []Conversation
	Want          Report
	// WantFacts is the facts of the conversations in [From, To), oldest first (by creation
	// time, then id), as the script wrote them down.
	WantFacts []Facts
}

// Conversation is one generated conversation and everything stored about it. Transitions
// start from the bot, in order; messages and ratings are in time order.
type Conversation struct {
	Customer     chat.Customer
	Conversation chat.Conversation
	Messages     []chat.Message
	Transitions  []chat.Transition
	Ratings      []chat.Rating
}

// outcome is what the generator knows a conversation must count as.
type outcome struct {
	contained, handedOff, dropped, waiting bool
	reason                                 string
	firstResponse, wait, handle            int64 // seconds; -1: no sample
	rating                                 int
}

// Generate returns a reproducible history of n conversations created over GeneratedDays from
// start, plus about one in fifty outside that range (which Want leaves out). It covers every
// path the definitions distinguish: silent customers, bot answers with follow-ups, reopens
// and returns just inside and outside the reopen windows, clarifications, handoffs accepted,
// transferred, returned, closed, abandoned and still waiting, and re-ratings.
func Generate(seed int64, n int, start time.Time) History {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7a6d))
	start = start.UTC()
	h := History{From: start, To: start.Add(GeneratedDays * 24 * time.Hour)}
	want := newExpect()
	span := int64(GeneratedDays * 24 * 3600)
	for i := range n {
		created := start.Add(time.Duration(rng.Int64N(span)) * time.Second)
		inRange := true
		switch i % 50 {
		case 17:
			created, inRange = start.Add(-time.Duration(1+rng.Int64N(3600))*time.Second), false
		case 33:
			created, inRange = h.To, false // the range is half-open
		}
		channel := []string{"web", "telegram", "whatsapp"}[rng.IntN(3)]
		s := newScript(rng, fmt.Sprintf("g%06d", i), channel, created)
		o := s.play()
		h.Conversations = append(h.Conversations, s.c)
		if inRange {
			want.add(channel, created.Format(DayLayout), o)
			s.f.DroppedOff, s.f.Waiting = o.dropped, o.waiting
			h.WantFacts = append(h.WantFacts, s.f)
		}
	}
	h.Want = want.report()
	sort.Slice(h.WantFacts, func(i, j int) bool {
		a, b := h.WantFacts[i], h.WantFacts[j]
		return a.CreatedAt.Before(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID
	})
	return h
}

// script writes one conversation as it happens: messages and transitions at a moving clock.
type script struct {
	rng   *rand.Rand
	c     Conversation
	at    time.Time
	owner chat.Owner
	f     Facts        // the facts as they accrue
	last  chat.Message // the last message other than a system notice
}

func newScript(rng *rand.Rand, id, channel string, created time.Time) *script {
	cu := chat.Customer{ID: "cu-" + id, Channel: channel, ExternalID: "ext-" + id, CreatedAt: created}
	conv := chat.Conversation{ID: id, CustomerID: cu.ID, Channel: channel, Owner: chat.OwnerBot, CreatedAt: created, UpdatedAt: created}
	return &script{rng: rng, c: Conversation{Customer: cu, Conversation: conv}, at: created, owner: chat.OwnerBot,
		f: Facts{ID: id, Channel: channel, CreatedAt: created}}
}

// secs draws a whole number of seconds in [lo, hi].
func (s *script) secs(lo, hi int64) int64 { return lo + s.rng.Int64N(hi-lo+1) }

// wait advances the clock by d seconds.
func (s *script) wait(d int64) { s.at = s.at.Add(time.Duration(d) * time.Second) }

func (s *script) say(author chat.Author, decision chat.Decision, reason string) {
	m := chat.Message{ConversationID: s.c.Conversation.ID, Author: author, Text: string(author) + " text",
		Decision: decision, Reason: reason, Channel: s.c.Conversation.Channel, CreatedAt: s.at}
	if author == chat.AuthorAgent {
		m.Agent = "amy"
	}
	s.c.Messages = append(s.c.Messages, m)
	s.note(m)
}

// note keeps the message facts up to date.
func (s *script) note(m chat.Message) {
	f := &s.f
	switch m.Author {
	case chat.AuthorSystem:
		return
	case chat.AuthorCustomer:
		f.CustomerMessages++
		if f.FirstCustomerAt.IsZero() {
			f.FirstCustomerAt = m.CreatedAt
		}
		gap := m.CreatedAt.Sub(s.last.CreatedAt)
		if s.last.Author == chat.AuthorBot && s.last.Decision == chat.DecisionAnswer && gap >= ResolvedAfter && gap <= ReopenWindow {
			f.Reopened = true
		}
	case chat.AuthorAgent:
		if f.FirstAgentAt.IsZero() {
			f.FirstAgentAt = m.CreatedAt
		}
	case chat.AuthorBot:
		if m.Decision == chat.DecisionAnswer {
			f.BotAnswers++
		}
	}
	if m.Author != chat.AuthorCustomer && f.FirstReplyAt.IsZero() && !f.FirstCustomerAt.IsZero() {
		f.FirstReplyAt = m.CreatedAt
	}
	s.last = m
}

func (s *script) move(to chat.Owner, actor, reason, assignee string) {
	s.c.Transitions = append(s.c.Transitions, chat.Transition{ConversationID: s.c.Conversation.ID, From: s.owner, To: to,
		Actor: actor, Reason: reason, Assignee: assignee, At: s.at})
	f := &s.f
	switch {
	case to == chat.OwnerWaiting && f.HandoffAt.IsZero():
		f.HandoffAt, f.HandoffReason = s.at, reason
	case to == chat.OwnerHuman && f.AcceptedAt.IsZero():
		f.AcceptedAt = s.at
	case s.owner == chat.OwnerHuman && (to == chat.OwnerBot || to == chat.OwnerClosed) && f.ReleasedAt.IsZero():
		f.ReleasedAt = s.at
	}
	if to == chat.OwnerClosed && f.ClosedAt.IsZero() {
		f.ClosedAt = s.at
	}
	s.owner = to
}

func (s *script) rate(score int) {
	s.c.Ratings = append(s.c.Ratings, chat.Rating{ConversationID: s.c.Conversation.ID, Score: score, CreatedAt: s.at})
	s.f.Rating = score
}

// ask is a customer message answered by the bot; it returns the reply delay in seconds.
func (s *script) ask(decision chat.Decision, reason string) int64 {
	s.say(chat.AuthorCustomer, "", "")
	d := s.secs(1, 20)
	s.wait(d)
	s.say(chat.AuthorBot, decision, reason)
	return d
}

// play draws a scenario, writes it and returns what it must count as.
func (s *script) play() outcome {
	o := outcome{firstResponse: -1, wait: -1, handle: -1}
	s.wait(s.secs(0, 60))
	switch k := s.rng.IntN(100); {
	case k < 5: // opened the chat and never wrote
	case k < 10: // the bot only asked back
		o.firstResponse = s.ask(chat.DecisionClarify, "ambiguous")
	case k < 45: // answered, with follow-ups inside ResolvedAfter
		o.firstResponse = s.ask(chat.DecisionAnswer, "")
		s.followUps()
		o.contained = true
	case k < 55: // answered, then back within the reopen windows (bounds included)
		o.firstResponse = s.ask(chat.DecisionAnswer, "")
		s.wait([]int64{1800, s.secs(1801, 86399), 86400}[s.rng.IntN(3)])
		s.ask(chat.DecisionAnswer, "")
	case k < 62: // answered, then back just outside the windows: still resolved
		o.firstResponse = s.ask(chat.DecisionAnswer, "")
		s.wait([]int64{1799, 86401, s.secs(86402, 200000)}[s.rng.IntN(3)])
		s.ask(chat.DecisionAnswer, "")
		o.contained = true
	default:
		s.handoff(&o, k)
	}
	if o.contained && s.rng.IntN(3) == 0 || o.handedOff && s.rng.IntN(2) == 0 {
		s.ratings(&o)
	}
	return o
}

func (s *script) followUps() {
	for range s.rng.IntN(3) {
		s.wait(s.secs(2, 1799-20))
		s.ask(chat.DecisionAnswer, "")
	}
}

func (s *script) ratings(o *outcome) {
	for range 1 + s.rng.IntN(2) { // some customers change their mind; the latest counts
		s.wait(s.secs(1, 600))
		o.rating = 1 + s.rng.IntN(5)
		s.rate(o.rating)
	}
}

var reasons = []string{"low_confidence", "customer_request", "intent", "error"}

// handoff writes a conversation the bot hands to people, and how its wait ends.
func (s *script) handoff(o *outcome, k int) {
	o.handedOff = true
	o.reason = reasons[s.rng.IntN(len(reasons))]
	if o.reason == "customer_request" { // asked for a person after an answer (app API handoff)
		o.firstResponse = s.ask(chat.DecisionAnswer, "")
		s.wait(s.secs(5, 120))
		s.say(chat.AuthorSystem, chat.DecisionHandoff, o.reason)
		s.move(chat.OwnerWaiting, "customer", o.reason, "")
	} else {
		o.firstResponse = s.ask(chat.DecisionHandoff, o.reason)
		s.move(chat.OwnerWaiting, "bot", o.reason, "")
	}
	handoffAt := s.at
	for range s.rng.IntN(3) { // the customer writes while waiting; nobody answers
		s.wait(s.secs(1, 60))
		s.say(chat.AuthorCustomer, "", "")
	}
	switch {
	case k < 70: // went back to the bot, then asked again and was served
		s.wait(s.secs(10, 900))
		s.move(chat.OwnerBot, "customer", "customer_back", "")
		s.ask(chat.DecisionAnswer, "")
		s.wait(s.secs(5, 300))
		s.move(chat.OwnerWaiting, "customer", "customer_request", "")
		o.dropped = true
		s.serve(o)
	case k < 74: // closed from the queue
		s.wait(s.secs(10, 900))
		s.move(chat.OwnerClosed, "amy", "closed", "")
		o.dropped = true
	case k < 78: // still waiting: not dropped off (yet)
		o.waiting = true
	default:
		s.wait(s.secs(5, 1800))
		o.wait = int64(s.at.Sub(handoffAt) / time.Second)
		s.serve(o)
	}
}

// serve has a person accept the waiting conversation, answer, maybe transfer it, and finish.
func (s *script) serve(o *outcome) {
	accepted := s.at
	s.move(chat.OwnerHuman, "amy", "accepted", "amy")
	s.say(chat.AuthorSystem, "", "")
	s.wait(s.secs(1, 120))
	s.say(chat.AuthorAgent, "", "")
	switch s.rng.IntN(4) {
	case 0: // to another agent
		s.wait(s.secs(10, 600))
		s.move(chat.OwnerHuman, "amy", "transfer", "bob")
	case 1: // to a team, and someone there accepts
		s.wait(s.secs(10, 600))
		s.move(chat.OwnerWaiting, "amy", "transfer", "")
		s.wait(s.secs(5, 600))
		s.move(chat.OwnerHuman, "cat", "accepted", "cat")
	}
	s.wait(s.secs(30, 3600))
	if s.rng.IntN(3) == 0 {
		s.move(chat.OwnerBot, "amy", "returned", "")
	} else {
		s.move(chat.OwnerClosed, "amy", "closed", "")
	}
	s.say(chat.AuthorSystem, "", "")
	o.handle = int64(s.at.Sub(accepted) / time.Second)
}

// expect adds up outcomes by the report's groups.
type expect struct {
	all      *group
	channels map[string]*group
	days     map[string]*group
}

type group struct {
	n, contained, handedOff, waitEnded, dropped, rated, ratingSum int
	reasons                                                       map[string]int
	firstResponse, wait, handle                                   []int64
}

func newExpect() *expect {
	return &expect{all: &group{}, channels: map[string]*group{}, days: map[string]*group{}}
}

func (e *expect) add(channel, day string, o outcome) {
	if e.channels[channel] == nil {
		e.channels[channel] = &group{}
	}
	if e.days[day] == nil {
		e.days[day] = &group{}
	}
	for _, g := range []*group{e.all, e.channels[channel], e.days[day]} {
		g.add(o)
	}
}

func (g *group) add(o outcome) {
	g.n++
	if g.reasons == nil {
		g.reasons = map[string]int{}
	}
	if o.contained {
		g.contained++
	}
	if o.handedOff {
		g.handedOff++
		g.reasons[o.reason]++
		if !o.waiting {
			g.waitEnded++
		}
	}
	if o.dropped {
		g.dropped++
	}
	if o.rating > 0 {
		g.rated++
		g.ratingSum += o.rating
	}
	for _, x := range []struct {
		v    int64
		dest *[]int64
	}{{o.firstResponse, &g.firstResponse}, {o.wait, &g.wait}, {o.handle, &g.handle}} {
		if x.v >= 0 {
			*x.dest = append(*x.dest, x.v)
		}
	}
}

func (e *expect) report() Report {
	r := Report{Metrics: e.all.metrics(), ByChannel: map[string]Metrics{}, ByDay: []Day{}}
	for ch, g := range e.channels {
		r.ByChannel[ch] = g.metrics()
	}
	for day, g := range e.days {
		r.ByDay = append(r.ByDay, Day{Day: day, Metrics: g.metrics()})
	}
	sort.Slice(r.ByDay, func(i, j int) bool { return r.ByDay[i].Day < r.ByDay[j].Day })
	return r
}

func (g *group) metrics() Metrics {
	m := Metrics{Conversations: g.n, HandoffReasons: g.reasons, RatingCount: g.rated,
		FirstResponseSeconds: lowestCovering(g.firstResponse), WaitSeconds: lowestCovering(g.wait), HandleSeconds: lowestCovering(g.handle)}
	if g.n > 0 {
		m.Containment = float64(g.contained) / float64(g.n)
		m.HandoffRate = float64(g.handedOff) / float64(g.n)
	}
	if g.waitEnded > 0 {
		m.DropOffRate = float64(g.dropped) / float64(g.waitEnded)
	}
	if g.rated > 0 {
		m.RatingAvg = float64(g.ratingSum) / float64(g.rated)
	}
	return m
}

// lowestCovering states the nearest-rank percentile the other way round: the smallest value
// that at least p % of the values are at most.
func lowestCovering(v []int64) Percentiles {
	p := Percentiles{N: len(v)}
	sorted := append([]int64(nil), v...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	half := false
	for i, x := range sorted {
		covered := (i + 1) * 100 // i+1 values are at most x; compared as multiples of len(v)
		if !half && covered >= 50*len(v) {
			p.P50, half = float64(x), true
		}
		if covered >= 90*len(v) {
			p.P90 = float64(x)
			break
		}
	}
	return p
}

// Writer is what Store needs of a store: its ordinary write methods.
type Writer interface {
	UpsertCustomer(ctx context.Context, c chat.Customer) (chat.Customer, error)
	CreateConversation(ctx context.Context, c chat.Conversation) error
	AddInbound(ctx context.Context, m chat.Message) (chat.Message, bool, error)
	AddMessage(ctx context.Context, m chat.Message, deliver bool) (chat.Message, error)
	SetOwner(ctx context.Context, t chat.Transition) error
	AddRating(ctx context.Context, r chat.Rating) error
}

// Store writes the history through w's public methods, as the service would have: each
// conversation's customer, the conversation (owned by the bot), its transitions in order
// (each From is the owner the previous one left), its messages and its ratings.
func (h History) Store(ctx context.Context, w Writer) error {
	for _, c := range h.Conversations {
		if err := storeConversation(ctx, w, c); err != nil {
			return fmt.Errorf("store history %s: %w", c.Conversation.ID, err)
		}
	}
	return nil
}

func storeConversation(ctx context.Context, w Writer, c Conversation) error {
	if _, err := w.UpsertCustomer(ctx, c.Customer); err != nil {
		return err
	}
	if err := w.CreateConversation(ctx, c.Conversation); err != nil {
		return err
	}
	for _, t := range c.Transitions {
		if err := w.SetOwner(ctx, t); err != nil {
			return err
		}
	}
	for _, m := range c.Messages {
		var err error
		if m.Author == chat.AuthorCustomer {
			_, _, err = w.AddInbound(ctx, m)
		} else {
			_, err = w.AddMessage(ctx, m, false)
		}
		if err != nil {
			return err
		}
	}
	for _, r := range c.Ratings {
		if err := w.AddRating(ctx, r); err != nil {
			return err
		}
	}
	return nil
}
