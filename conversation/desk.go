package conversation

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"tandem/chat"
	"tandem/handoff"
)

// Routing is how the desk routes waiting conversations.
type Routing struct {
	// Auto assigns waiting conversations to the least-loaded eligible agent; otherwise agents
	// pick from the queue.
	Auto bool
	// SLA is the first-response target per priority (zero: handoff.DefaultSLA).
	SLA handoff.SLA
	// Hours returns the business hours per team (nil: always open).
	Hours func() handoff.Schedule
	// AvgHandle is the assumed time an agent spends per conversation, for wait estimates while no
	// waits have been measured in the last hour (0: no estimate until one is).
	AvgHandle time.Duration
	// Capacity is an agent's default limit of conversations at once.
	Capacity int
}

// Limits on agent input.
const (
	maxNoteRunes    = 4000
	maxCommentRunes = 1000
	// MaxRatings is how many ratings one conversation takes: a customer may change their mind (the
	// latest counts), but one visitor cannot pile up ratings without end.
	MaxRatings = 3
	queueLimit = 1000
)

// desk is the Service's routing state on this replica.
type desk struct {
	once      sync.Once
	kick      chan struct{}
	drafting  sync.WaitGroup
	mu        sync.Mutex
	positions map[string][2]int // conversation → last announced position and wait
	waits     []time.Duration   // queue waits of recent accepts, for estimates
	waitsAt   time.Time         // when waits were read
}

func (d *desk) init() {
	d.once.Do(func() {
		d.kick = make(chan struct{}, 1)
		d.positions = map[string][2]int{}
	})
}

// Kick asks the desk loop to route and announce positions now (it coalesces requests).
func (s *Service) Kick() {
	s.desk.init()
	select {
	case s.desk.kick <- struct{}{}:
	default:
	}
}

func (s *Service) sla() handoff.SLA {
	if s.Routing.SLA == (handoff.SLA{}) {
		return handoff.DefaultSLA()
	}
	return s.Routing.SLA
}

func (s *Service) hours(team string) handoff.Hours {
	if s.Routing.Hours == nil {
		return handoff.Hours{}
	}
	return s.Routing.Hours().For(team)
}

// capacity is an agent's limit, the desk default when the agent has none.
func (s *Service) capacity(a chat.Agent) int {
	if a.Capacity > 0 {
		return a.Capacity
	}
	if s.Routing.Capacity > 0 {
		return s.Routing.Capacity
	}
	return 5
}

// agent returns a known agent, or forbidden.
func (s *Service) agent(ctx context.Context, username string) (chat.Agent, error) {
	a, err := s.Store.Agent(ctx, username)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return a, chat.Errorf(chat.EFORBIDDEN, "%s is not an agent", username)
	}
	return a, err
}

// held returns the conversation if agent holds it: forbidden if someone else does, conflict if
// it is closed or not with a person.
func (s *Service) held(ctx context.Context, id, agent string) (chat.Conversation, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	switch {
	case conv.Owner == chat.OwnerClosed:
		return conv, chat.Errorf(chat.ECONFLICT, "conversation is closed")
	case conv.Owner != chat.OwnerHuman:
		return conv, chat.Errorf(chat.ECONFLICT, "conversation is %s; accept it first", conv.Owner)
	case conv.Assignee != agent:
		return conv, chat.Errorf(chat.EFORBIDDEN, "conversation belongs to %s", conv.Assignee)
	}
	return conv, nil
}

// Accept gives a waiting conversation to the agent: exactly one of several racing agents wins,
// and never beyond the agent's capacity.
func (s *Service) Accept(ctx context.Context, username, id string) (chat.Conversation, error) {
	a, err := s.agent(ctx, username)
	if err != nil {
		return chat.Conversation{}, err
	}
	return s.assign(ctx, a, id, username)
}

func (s *Service) assign(ctx context.Context, a chat.Agent, id, actor string) (chat.Conversation, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	if conv.Owner == chat.OwnerHuman {
		return conv, chat.OwnerConflict(chat.Transition{From: chat.OwnerWaiting}, conv.Owner, conv.Assignee)
	}
	if conv.Owner != chat.OwnerWaiting {
		return conv, chat.Errorf(chat.ECONFLICT, "conversation is %s, not waiting", conv.Owner)
	}
	if !a.Serves(conv.Team) {
		return conv, chat.Errorf(chat.EFORBIDDEN, "this conversation is for team %s, which %s does not serve", conv.Team, a.Username)
	}
	conv, err = s.move(ctx, b, conv, chat.Transition{To: chat.OwnerHuman, Actor: actor, Reason: "accepted",
		Assignee: a.Username, Capacity: s.capacity(a)})
	if err != nil {
		return conv, err
	}
	_, err = s.send(ctx, b, conv, chat.Message{ConversationID: id, Author: chat.AuthorSystem,
		Text: chat.Noticef(chat.NoticeJoined, conv.Lang, displayName(a))})
	s.Kick()
	if err == nil {
		s.draftWaiting(ctx, id)
	}
	return conv, err
}

// draftWaiting drafts, for the agent who just took the conversation, a reply to the customer's
// latest message: the question the bot handed off, or what they wrote while waiting.
func (s *Service) draftWaiting(ctx context.Context, id string) {
	if err := s.draftLatest(ctx, id); err != nil && chat.ErrorCode(err) != chat.ECONFLICT {
		s.Log.Warn("draft on accept failed", "conversation_id", id, "err", err)
	}
}

func displayName(a chat.Agent) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// AgentReply sends an agent's message to the customer. draftID names the bot draft it started
// from (0: the latest unsent one, if any): the draft is stored with the final text and the edit
// distance, the co-authoring record.
func (s *Service) AgentReply(ctx context.Context, username, id, text string, draftID int64) (chat.Message, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	text, err := cleanText(text)
	if err != nil {
		return chat.Message{}, err
	}
	conv, err := s.held(ctx, id, username)
	if err != nil {
		return chat.Message{}, err
	}
	a, err := s.agent(ctx, username)
	if err != nil {
		return chat.Message{}, err
	}
	m, err := s.send(ctx, b, conv, chat.Message{ConversationID: id, Author: chat.AuthorAgent, Agent: displayName(a), Text: text})
	if err != nil {
		return m, err
	}
	s.recordDraft(ctx, conv, draftID, username, m)
	if err := s.Store.SetReviewAnswer(ctx, id, m.Text); err != nil {
		s.Log.Warn("review answer failed", "conversation_id", id, "err", err)
	}
	return m, nil
}

// recordDraft stores what became of the bot's draft; failures are logged, the reply stands.
func (s *Service) recordDraft(ctx context.Context, conv chat.Conversation, draftID int64, agent string, sent chat.Message) {
	convID := conv.ID
	var d chat.Draft
	var err error
	if draftID == 0 {
		d, err = s.Store.LatestDraft(ctx, convID)
	} else {
		d, err = s.Store.Draft(ctx, convID, draftID)
	}
	if chat.ErrorCode(err) == chat.ENOTFOUND || (err == nil && d.SentAt != nil) {
		return // no draft, or it was sent already: the agent wrote their own
	}
	if err != nil {
		s.Log.Warn("draft lookup failed", "conversation_id", convID, "err", err)
		return
	}
	dist := handoff.EditDistance(d.Text, sent.Text)
	at := sent.CreatedAt
	d.Agent, d.Final, d.SentID, d.EditDistance, d.SentAt = agent, sent.Text, sent.ID, &dist, &at
	if err := s.Store.CompleteDraft(ctx, d); err != nil {
		if chat.ErrorCode(err) != chat.ENOTFOUND {
			s.Log.Warn("record draft failed", "conversation_id", convID, "err", err)
		}
		return
	}
	if dist > 0 && d.Text != "" {
		s.captureEdit(ctx, conv, d)
	}
}

// AddNote stores an internal note by an agent; the customer never sees it.
func (s *Service) AddNote(ctx context.Context, username, id, text string) (chat.Note, error) {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > maxNoteRunes || !utf8.ValidString(text) {
		return chat.Note{}, chat.Errorf(chat.EINVALID, "a note is 1 to %d characters of text", maxNoteRunes)
	}
	if _, err := s.agent(ctx, username); err != nil {
		return chat.Note{}, err
	}
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return chat.Note{}, err
	}
	n, err := s.Store.AddNote(ctx, chat.Note{ConversationID: conv.ID, Author: username, Text: text, CreatedAt: s.Now().UTC()})
	if err != nil {
		return n, err
	}
	s.flush(ctx, &batch{events: []chat.Event{{Type: chat.EventNote, ConversationID: id, Note: &n}}})
	return n, nil
}

// Typing tells the other side that author ("customer" or an agent's name) is typing.
func (s *Service) Typing(ctx context.Context, id, author string) {
	s.flush(ctx, &batch{events: []chat.Event{{Type: chat.EventTyping, ConversationID: id, Author: author}}})
}

// Transfer passes a conversation the agent holds to another online agent (to) or back to the
// queue of a team, with an optional internal note.
func (s *Service) Transfer(ctx context.Context, username, id, to, team, note string) (chat.Conversation, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.held(ctx, id, username)
	if err != nil {
		return conv, err
	}
	if (to == "") == (team == "") {
		return conv, chat.Errorf(chat.EINVALID, "transfer to an agent or to a team (one of them)")
	}
	if strings.TrimSpace(note) != "" {
		if _, err := s.AddNote(ctx, username, id, note); err != nil {
			return conv, err
		}
	}
	t := chat.Transition{From: chat.OwnerHuman, FromAssignee: username, Actor: username, Reason: "transfer"}
	if to != "" {
		target, err := s.Store.Agent(ctx, to)
		if err != nil || target.Status != chat.PresenceOnline {
			return conv, chat.Errorf(chat.EINVALID, "%s is not an online agent", to)
		}
		if !target.Serves(conv.Team) {
			return conv, chat.Errorf(chat.EINVALID, "%s does not serve team %s; transfer to the team instead", to, conv.Team)
		}
		t.To, t.Assignee, t.Capacity = chat.OwnerHuman, to, s.capacity(target)
	} else {
		t.To, t.Team, t.Priority = chat.OwnerWaiting, team, conv.Priority
	}
	conv, err = s.move(ctx, b, conv, t)
	s.Kick()
	return conv, err
}

// ReturnToBot hands a conversation the agent holds back to the bot.
func (s *Service) ReturnToBot(ctx context.Context, username, id string) (chat.Conversation, error) {
	conv, err := s.held(ctx, id, username)
	if err != nil {
		return conv, err
	}
	return s.leave(ctx, conv, chat.OwnerBot, username, "returned", chat.NoticeReturned)
}

// Close ends a conversation the agent holds (or one still waiting) and asks the customer for a
// rating.
func (s *Service) Close(ctx context.Context, username, id string) (chat.Conversation, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	if conv.Owner != chat.OwnerWaiting {
		if conv, err = s.held(ctx, id, username); err != nil {
			return conv, err
		}
	}
	// The widget asks for the rating with its star picker; a text request too would ask twice.
	notice := chat.NoticeRate
	if conv.Channel == chat.ChannelWeb {
		notice = chat.NoticeEnded
	}
	return s.leave(ctx, conv, chat.OwnerClosed, username, "closed", notice)
}

// Back takes a waiting customer out of the queue and back to the bot, at their request.
func (s *Service) Back(ctx context.Context, id string) (chat.Conversation, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	if conv.Owner != chat.OwnerWaiting {
		return conv, chat.Errorf(chat.ECONFLICT, "conversation is %s, not waiting", conv.Owner)
	}
	return s.leave(ctx, conv, chat.OwnerBot, "customer", "customer_back", chat.NoticeBack)
}

// leave moves a conversation away from people, telling the customer with a notice.
func (s *Service) leave(ctx context.Context, conv chat.Conversation, to chat.Owner, actor, reason, notice string) (chat.Conversation, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	from := conv.Assignee
	conv, err := s.move(ctx, b, conv, chat.Transition{To: to, Actor: actor, Reason: reason, FromAssignee: from})
	if err != nil {
		return conv, err
	}
	_, err = s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: chat.Notice(notice, conv.Lang)})
	s.Kick()
	return conv, err
}

// Rate stores a customer's rating of a conversation (1–5, optional comment).
func (s *Service) Rate(ctx context.Context, id string, score int, comment string) error {
	comment = strings.TrimSpace(comment)
	if score < 1 || score > 5 {
		return chat.Errorf(chat.EINVALID, "score must be a whole number from 1 to 5")
	}
	if utf8.RuneCountInString(comment) > maxCommentRunes || !utf8.ValidString(comment) {
		return chat.Errorf(chat.EINVALID, "comment is limited to %d characters", maxCommentRunes)
	}
	rated, err := s.Store.Ratings(ctx, id)
	if err != nil {
		return err
	}
	if len(rated) >= MaxRatings {
		return chat.Errorf(chat.ECONFLICT, "this conversation has been rated %d times already; that is the most it takes", MaxRatings)
	}
	if err := s.Store.AddRating(ctx, chat.Rating{ConversationID: id, Score: score, Comment: comment, CreatedAt: s.Now().UTC()}); err != nil {
		return err
	}
	if score <= 2 {
		s.captureRating(ctx, id, score)
	}
	return nil
}

// SetPresence sets an agent online, away or offline. Going offline returns the agent's
// conversations to the queue.
func (s *Service) SetPresence(ctx context.Context, username, status string) (chat.Agent, error) {
	switch status {
	case chat.PresenceOnline, chat.PresenceAway, chat.PresenceOffline:
	default:
		return chat.Agent{}, chat.Errorf(chat.EINVALID, "status must be online, away or offline")
	}
	if err := s.Store.SetPresence(ctx, username, status, s.Now().UTC()); err != nil {
		return chat.Agent{}, err
	}
	if status == chat.PresenceOffline {
		if err := s.requeue(ctx, username, "agent_offline"); err != nil {
			return chat.Agent{}, err
		}
	}
	s.Kick()
	return s.Store.Agent(ctx, username)
}

// Heartbeat records that an agent's console is connected.
func (s *Service) Heartbeat(ctx context.Context, username string) error {
	a, err := s.Store.Agent(ctx, username)
	if err != nil {
		return err
	}
	return s.Store.SetPresence(ctx, username, a.Status, s.Now().UTC())
}

// requeue returns every conversation the agent holds to the queue.
func (s *Service) requeue(ctx context.Context, username, reason string) error {
	convs, err := s.Store.Assigned(ctx, username)
	if err != nil {
		return err
	}
	b := &batch{}
	defer s.flush(ctx, b)
	for _, c := range convs {
		_, err := s.move(ctx, b, c, chat.Transition{To: chat.OwnerWaiting, FromAssignee: username, Actor: "system",
			Reason: reason, Team: c.Team, Priority: c.Priority})
		if err != nil && chat.ErrorCode(err) != chat.ECONFLICT {
			return err
		}
	}
	return nil
}

// due is when a queued conversation's first human answer is due: its SLA target after queuing,
// or after the team's next opening when it is queued out of hours.
func (s *Service) due(t chat.Transition) time.Time {
	target := s.sla().Target(t.Priority)
	if target <= 0 {
		return time.Time{}
	}
	start := t.At
	if h := s.hours(t.Team); !h.Open(start) {
		if start = h.NextOpen(start); start.IsZero() {
			return time.Time{}
		}
	}
	return start.Add(target)
}

// handoffText is what the customer is told on a handoff: text while the team is in, else when
// they are back and to leave a message.
func (s *Service) handoffText(conv chat.Conversation, team, text string) string {
	now := s.Now()
	h := s.hours(team)
	if h.Open(now) {
		return text
	}
	return chat.Noticef(chat.NoticeClosed, conv.Lang, handoff.FormatOpening(h.NextOpen(now), h, conv.Lang))
}

// takeMessage acknowledges, out of hours, the customer's first message after the handoff: it is
// in the queue for the next shift. Later messages are stored without another notice.
func (s *Service) takeMessage(ctx context.Context, b *batch, conv chat.Conversation, in chat.Message) {
	if s.hours(conv.Team).Open(s.Now()) {
		return
	}
	recent, err := s.Store.Recent(ctx, conv.ID, historyWindow)
	if err != nil {
		return
	}
	taken := chat.Notice(chat.NoticeTaken, conv.Lang)
	for i := len(recent) - 1; i >= 0; i-- {
		m := recent[i]
		if m.Author == chat.AuthorSystem && m.Text == taken {
			return // already acknowledged since the handoff
		}
		if m.Decision == chat.DecisionHandoff {
			break
		}
	}
	if _, err := s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: taken}); err != nil {
		s.Log.Warn("after-hours notice failed", "conversation_id", conv.ID, "err", err)
	}
}

// draftTimeout bounds one draft.
const draftTimeout = 30 * time.Second

// startDraft has the bot draft a reply to in for the agent, in the background.
func (s *Service) startDraft(ctx context.Context, conv chat.Conversation, in chat.Message) {
	s.desk.drafting.Add(1)
	go func() {
		defer s.desk.drafting.Done()
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), draftTimeout)
		defer cancel()
		if _, err := s.Draft(dctx, conv.ID, in); err != nil {
			s.Log.Warn("draft failed", "conversation_id", conv.ID, "err", err)
		}
	}()
}

// WaitDrafts waits for background drafts to finish (tests, shutdown).
func (s *Service) WaitDrafts() { s.desk.drafting.Wait() }

// Draft has the bot write a reply to the customer message in for the agent: streamed to the
// console as draft_delta events, stored, and published as a draft event. The customer sees none
// of it. Where the bot would not have answered by itself, the draft is its best attempt from its
// top sources, marked Unsure, with the Decision and Reason it would have taken; it is empty only
// when nothing relevant was found. A Bot that is not a Drafter drafts only what it would answer.
func (s *Service) Draft(ctx context.Context, id string, in chat.Message) (chat.Draft, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return chat.Draft{}, err
	}
	history, err := s.Store.Recent(ctx, id, historyWindow)
	if err != nil {
		return chat.Draft{}, err
	}
	var last time.Time
	stream := func(text string) {
		if now := s.Now(); now.Sub(last) >= deltaInterval {
			last = now
			s.flush(ctx, &batch{events: []chat.Event{{Type: chat.EventDraftDelta, ConversationID: id, Text: text}}})
		}
	}
	var r chat.Reply
	if dr, ok := s.Bot.(Drafter); ok {
		r, err = dr.Draft(ctx, history, in.Text, stream)
	} else {
		conv.Owner = chat.OwnerBot // the bot answers as if it were its turn; the answer goes to the agent
		if r, err = s.Bot.Turn(ctx, conv, history, in.Text, stream); r.Decision != chat.DecisionAnswer {
			r.Text, r.Sources = "", nil // a notice for the customer is no draft
		}
	}
	if err != nil {
		return chat.Draft{}, err
	}
	if newer, err := s.newerCustomerMessage(ctx, id, in.ID); err != nil || newer {
		return chat.Draft{}, err // the customer wrote again meanwhile: that message's draft is the one to show
	}
	d := chat.Draft{ConversationID: id, MessageID: in.ID, Text: r.Text, Sources: r.Sources, Confidence: r.Confidence,
		Decision: r.Decision, Reason: r.Reason, Unsure: r.Decision != chat.DecisionAnswer, CreatedAt: s.Now().UTC()}
	if d, err = s.Store.AddDraft(ctx, d); err != nil {
		return d, err
	}
	s.flush(ctx, &batch{events: []chat.Event{{Type: chat.EventDraft, ConversationID: id, Draft: &d, Reason: r.Reason}}})
	return d, nil
}

// newerCustomerMessage reports whether the customer wrote after message id.
func (s *Service) newerCustomerMessage(ctx context.Context, conversationID string, id int64) (bool, error) {
	recent, err := s.Store.Recent(ctx, conversationID, historyWindow)
	if err != nil {
		return false, err
	}
	for _, m := range recent {
		if m.Author == chat.AuthorCustomer && m.ID > id {
			return true, nil
		}
	}
	return false, nil
}

// Redraft drafts again for the conversation's latest customer message, at the agent's request.
func (s *Service) Redraft(ctx context.Context, username, id string) error {
	if _, err := s.held(ctx, id, username); err != nil {
		return err
	}
	return s.draftLatest(ctx, id)
}

// draftLatest drafts, in the background, a reply to the conversation's latest customer message.
func (s *Service) draftLatest(ctx context.Context, id string) error {
	recent, err := s.Store.Recent(ctx, id, historyWindow)
	if err != nil {
		return err
	}
	for i := len(recent) - 1; i >= 0; i-- {
		if recent[i].Author == chat.AuthorCustomer {
			s.startDraft(ctx, chat.Conversation{ID: id}, recent[i])
			return nil
		}
	}
	return chat.Errorf(chat.ECONFLICT, "the customer has not written anything to answer")
}

// Follow applies an ownership change made on the channel's own platform (a Chatwoot agent
// assigning themselves, resolving or reopening the conversation): to is OwnerBot, OwnerWaiting,
// OwnerHuman (assignee: the platform's person, e.g. "chatwoot:12") or OwnerClosed. Nothing is sent
// to the customer: the platform's people speak for themselves. A conversation a Tandem agent
// holds stays theirs when the platform only says it is open for people.
func (s *Service) Follow(ctx context.Context, id string, to chat.Owner, assignee, reason string) (chat.Conversation, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	switch {
	case to == conv.Owner && (to != chat.OwnerHuman || assignee == conv.Assignee):
		return conv, nil
	case to == chat.OwnerWaiting && conv.Owner == chat.OwnerHuman:
		return conv, nil
	}
	b := &batch{}
	defer s.flush(ctx, b)
	if conv.Owner == chat.OwnerClosed && to != chat.OwnerBot {
		// Reopened for people: a closed conversation reopens through the bot, as a customer's
		// message reopens it.
		if conv, err = s.setOwner(ctx, b, conv, chat.OwnerBot, "platform", reason); err != nil {
			return conv, err
		}
	}
	t := chat.Transition{To: to, Actor: "platform", Reason: reason, FromAssignee: conv.Assignee}
	switch to {
	case chat.OwnerHuman:
		t.Assignee = assignee
	case chat.OwnerWaiting:
		t.Team, t.Priority = conv.Team, conv.Priority
	}
	conv, err = s.move(ctx, b, conv, t)
	s.Kick()
	return conv, err
}
