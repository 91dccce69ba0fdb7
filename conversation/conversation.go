// Package conversation is the orchestrator of the message path: inbound → persist → bot or agent
// → outbox → publish. It alone applies ownership changes.
package conversation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tandem/chat"
)

// Limits on customer input.
const (
	// MaxMessageRunes is the longest customer message accepted: the longest text Telegram and
	// WhatsApp carry (4,096 UTF-16 units or characters, which is never more than 4,096 runes).
	MaxMessageRunes = 4096
	// historyWindow is how many recent messages a bot turn sees.
	historyWindow = 20
)

// Bot decides the reply to one customer message. A bot that writes its reply gradually (an LLM)
// calls stream with the text so far; the returned Reply is the final word.
type Bot interface {
	Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(partial string)) (chat.Reply, error)
}

// Drafter is a Bot that writes drafts for agents: its best reply from its sources even where it
// would hand off, with the Decision and Reason it would have taken (bot.Bot).
type Drafter interface {
	Draft(ctx context.Context, history []chat.Message, text string, stream func(partial string)) (chat.Reply, error)
}

// Publisher fans events out to real-time subscribers on every replica, in order.
type Publisher interface {
	Publish(ctx context.Context, evs ...chat.Event) error
}

// ReplyPublisher is a Publisher that can publish in the transaction that stores a bot reply, so
// a turn's reply, its outbox item and its events take one commit (postgres.Bus: the NOTIFY rides
// in the insert).
type ReplyPublisher interface {
	Publisher
	// PublishReply stores m as Store.AddReply does and, when it stores it, publishes evs, whose
	// last is m's own event: that one goes out with the stored id.
	PublishReply(ctx context.Context, m chat.Message, deliver bool, evs []chat.Event) (_ chat.Message, stored bool, err error)
}

// batch collects the events of one call so they go out in one publish (one NOTIFY on Postgres)
// once its writes are stored.
type batch struct{ events []chat.Event }

func (b *batch) add(ev chat.Event) { b.events = append(b.events, ev) }

// Service is the conversation core.
type Service struct {
	Store   Store
	Bot     Bot
	Bus     Publisher
	Metrics *Metrics
	Log     *slog.Logger
	Now     func() time.Time
	// Outbound lists channels whose replies are delivered through the outbox (e.g. telegram).
	// Web and app clients read replies from the store and the real-time bus instead.
	Outbound map[string]bool
	// Routing configures the queue; Local delivers an event to this replica's subscribers only
	// (queue positions, which each replica computes for its own customers).
	Routing Routing
	Local   func(chat.Event)
	// ReviewBelow is the confidence under which answers are captured for review
	// (DefaultReviewBelow when 0).
	ReviewBelow float64
	// Handed, when set, is told of every handoff a bot turn decides (e.g. to open a complaint
	// case for the complaint intent).
	Handed func(ctx context.Context, conv chat.Conversation, r chat.Reply)
	// OptOut, when set, answers a message in a conversation a person owns or waits for, where
	// the bot stays silent: an opt-out word withdraws consent (followup.Service.OptOut) and the
	// confirmation goes out; ok is false for any other message.
	OptOut func(ctx context.Context, conv chat.Conversation, text string) (confirm string, ok bool, err error)

	desk desk
}

// Inbound is a customer message arriving on a channel.
type Inbound struct {
	ConversationID string
	Channel        string
	ExternalID     string // the platform's message id, for idempotency; empty if none
	// Text is what the customer wrote, or the text a non-text message carries (a caption, a voice
	// message's transcript, a button's title); it may be empty when Attachments is not.
	Text string
	// Attachments are the parts the bot cannot read: they are stored as description lines for
	// agents, and a message of attachments only is handed to a person, the customer told so.
	Attachments []chat.Attachment
	// ForPerson, when set, is why the message goes to a person instead of the bot (e.g.
	// "attachment": the bot cannot read it); Text then describes it for the agent. A message of
	// Attachments only goes to a person with ForPerson ReasonAttachment.
	ForPerson string
	// Lang is the customer's language as the platform knows it, for notices ("" unknown).
	Lang string
	// Reply, when set, answers the message instead of a bot turn (a channel's /start greeting).
	Reply string
	// SameChannel: a conversation of another channel than Channel is not found (the app API's
	// keys reach only the app's conversations).
	SameChannel bool
}

// Result is what Receive stored: the customer's message and any replies sent back.
type Result struct {
	Message   chat.Message   `json:"message"`
	Replies   []chat.Message `json:"replies"`
	Duplicate bool           `json:"-"`
}

// NewID returns a random 128-bit id in hex.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Start creates (or finds) the customer and opens a new conversation owned by the bot.
func (s *Service) Start(ctx context.Context, cu chat.Customer, lang string) (chat.Conversation, error) {
	return s.StartThread(ctx, cu, "", lang)
}

// StartThread is Start for a platform thread (chat.Conversation.Thread): a conversation for a
// thread that has one already is a conflict.
func (s *Service) StartThread(ctx context.Context, cu chat.Customer, thread, lang string) (chat.Conversation, error) {
	now := s.Now().UTC()
	if cu.ID == "" {
		cu.ID = NewID()
	}
	cu.CreatedAt = now
	cu, err := s.Store.UpsertCustomer(ctx, cu)
	if err != nil {
		return chat.Conversation{}, err
	}
	conv := chat.Conversation{ID: NewID(), CustomerID: cu.ID, Channel: cu.Channel, Owner: chat.OwnerBot,
		Lang: lang, Thread: thread, CreatedAt: now, UpdatedAt: now}
	if strings.EqualFold(cu.Attrs["tier"], "vip") {
		conv.Priority = "high" // VIP customers are served first when they reach a person
	}
	if err := s.Store.CreateConversation(ctx, conv); err != nil {
		return conv, err
	}
	s.Metrics.Conversations.Inc()
	return conv, nil
}

// Receive handles one customer message: it stores it (once, even if the channel redelivers),
// and, when the bot owns the conversation, runs a bot turn and stores and publishes the reply.
func (s *Service) Receive(ctx context.Context, in Inbound) (Result, error) {
	b := &batch{} // one publish: the customer's message and the reply
	defer s.flush(ctx, b)
	res, conv, history, turn, err := s.take(ctx, b, in)
	if err != nil || !turn {
		return res, err
	}
	reply, err := s.botTurn(ctx, b, conv, res.Message, history)
	if err != nil {
		return res, err
	}
	if reply.ID != 0 {
		res.Replies = append(res.Replies, reply)
	}
	return res, nil
}

// Turn is a bot turn for a stored customer message, run after the channel has acknowledged it.
type Turn func(ctx context.Context) (chat.Message, error)

// Take stores one customer message like Receive, but hands back the bot's turn instead of running
// it, so a channel can acknowledge the platform first (the turn is nil when there is none: a
// duplicate, a person owns the conversation, or the message goes to a person). A turn that never
// runs, because the process stopped, is run by the recovery loop.
func (s *Service) Take(ctx context.Context, in Inbound) (Result, Turn, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	res, conv, _, turn, err := s.take(ctx, b, in)
	if err != nil || !turn {
		return res, nil, err
	}
	return res, func(ctx context.Context) (chat.Message, error) {
		tb := &batch{}
		defer s.flush(ctx, tb)
		return s.botTurn(ctx, tb, conv, res.Message, nil) // later: it reads the history then
	}, nil
}

// take stores a customer message; turn says whether the bot should answer it, and history is
// the conversation's recent messages for that turn when the store read them with the message (nil:
// read them). A message the bot cannot read goes to a person, and a fixed Reply (a greeting)
// answers instead of the bot.
func (s *Service) take(ctx context.Context, b *batch, in Inbound) (res Result, conv chat.Conversation, history []chat.Message, turn bool, err error) {
	text, err := cleanInbound(in)
	if err != nil {
		return Result{}, conv, nil, false, err
	}
	if text == "" && in.ForPerson == "" {
		in.ForPerson = ReasonAttachment // attachments only
	}
	m := chat.Message{ConversationID: in.ConversationID, Author: chat.AuthorCustomer,
		Text: chat.WithAttachments(text, in.Channel, in.Attachments), Channel: in.Channel, ExternalID: in.ExternalID, CreatedAt: s.Now().UTC()}
	// One round trip: the conversation, the message stored unless the conversation is closed, and
	// the history for the bot's turn.
	arr, err := s.Store.Arrive(ctx, m, historyWindow, in.SameChannel)
	if err != nil {
		return Result{}, arr.Conversation, nil, false, err
	}
	conv = arr.Conversation
	msg, created, history := arr.Message, arr.Created, arr.History
	if !arr.Stored { // closed: a rating, or a new matter that reopens it first
		if score := RatingReply(text); score > 0 && s.askedForRating(ctx, conv.ID) {
			res, err := s.receiveRating(ctx, b, conv, in, text, score)
			return res, conv, nil, false, err
		}
		if conv, err = s.setOwner(ctx, b, conv, chat.OwnerBot, "customer", "new_message"); err != nil {
			return Result{}, conv, nil, false, err
		}
		m.CreatedAt = s.Now().UTC()
		if msg, created, err = s.Store.AddInbound(ctx, m); err != nil {
			return Result{}, conv, nil, false, err
		}
	}
	if !created {
		return Result{Message: msg, Replies: []chat.Message{}, Duplicate: true}, conv, nil, false, nil
	}
	s.Metrics.Messages.WithLabelValues(string(chat.AuthorCustomer)).Inc()
	b.add(messageEvent(msg))
	res = Result{Message: msg, Replies: []chat.Message{}}
	if conv.Owner == chat.OwnerBot && in.ForPerson != "" {
		m, err := s.forPerson(ctx, b, conv, in, msg.ID)
		if err != nil {
			return res, conv, nil, false, err
		}
		res.Replies = append(res.Replies, m)
		return res, conv, nil, false, nil
	}
	if conv.Owner != chat.OwnerBot && s.OptOut != nil && text != "" {
		if confirm, ok, err := s.OptOut(ctx, conv, text); err != nil || ok {
			if err != nil {
				return res, conv, nil, false, err
			}
			m, err := s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: confirm,
				Decision: chat.DecisionAnswer, Reason: ReasonOptOut})
			res.Replies = append(res.Replies, m)
			return res, conv, nil, false, err
		}
	}
	if conv.Owner != chat.OwnerBot {
		// A person owns it, or will: the bot stays silent. It drafts for the agent who holds the
		// conversation; a waiting one gets its draft when an agent accepts it.
		if conv.Owner == chat.OwnerHuman && text != "" && in.Reply == "" {
			s.startDraft(ctx, conv, msg)
		} else if conv.Owner == chat.OwnerWaiting {
			s.takeMessage(ctx, b, conv, msg)
		}
		return res, conv, nil, false, nil
	}
	if in.Reply != "" {
		m, err := s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorBot, Text: in.Reply,
			Decision: chat.DecisionAnswer, Reason: "greeting"})
		if err != nil {
			return res, conv, nil, false, err
		}
		res.Replies = append(res.Replies, m)
		return res, conv, nil, false, nil
	}
	return res, conv, history, true, nil
}

// forPerson hands a message the bot cannot read to a person and tells the customer so, in their
// language: what they sent ("your photo") when the message lists its attachments.
func (s *Service) forPerson(ctx context.Context, b *batch, conv chat.Conversation, in Inbound, msgID int64) (chat.Message, error) {
	lang := s.customerLang(ctx, conv, in.Lang, msgID)
	text := chat.Notice(chat.NoticeForPerson, lang)
	if len(in.Attachments) > 0 {
		text = chat.Noticef(chat.NoticeAttachment, lang, chat.KindWord(in.Attachments[0].Kind, lang))
	}
	m, err := s.send(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorSystem, Text: s.handoffText(conv, conv.Team, text),
		Decision: chat.DecisionHandoff, Reason: in.ForPerson})
	if err != nil {
		return m, err
	}
	if _, err := s.move(ctx, b, conv, chat.Transition{To: chat.OwnerWaiting, Actor: "customer", Reason: in.ForPerson,
		Team: conv.Team, Priority: conv.Priority}); err != nil {
		return m, err
	}
	s.Metrics.Handoffs.WithLabelValues(in.ForPerson).Inc()
	s.Kick()
	return m, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// botTurn answers customer message in with history, the conversation's recent messages (nil: read
// them now).
func (s *Service) botTurn(ctx context.Context, b *batch, conv chat.Conversation, in chat.Message, history []chat.Message) (chat.Message, error) {
	if history == nil {
		var err error
		if history, err = s.Store.Recent(ctx, conv.ID, historyWindow); err != nil {
			return chat.Message{}, err
		}
	}
	start := s.Now()
	r, err := s.Bot.Turn(ctx, conv, history, chat.TextOnly(in.Text), s.streamer(ctx, b, conv.ID))
	if err != nil {
		s.Log.Error("bot turn failed", "conversation_id", conv.ID, "err", err)
		r = chat.Reply{Text: chat.Notice(chat.NoticeError, conv.Lang), Decision: chat.DecisionHandoff, Reason: "error"}
	}
	s.Metrics.Turns.WithLabelValues(string(r.Decision)).Inc()
	s.Metrics.TurnSeconds.Observe(s.Now().Sub(start).Seconds())
	if r.Decision == chat.DecisionHandoff {
		r.Text = s.handoffText(conv, r.Team, r.Text)
	}
	conf := r.Confidence
	out, stored, err := s.reply(ctx, b, conv, chat.Message{ConversationID: conv.ID, Author: chat.AuthorBot, Text: r.Text,
		Sources: r.Sources, Confidence: &conf, Decision: r.Decision, Reason: r.Reason, Intent: r.Intent})
	if err != nil {
		return out, err
	}
	if !stored {
		// A person took it while the bot was thinking (on the platform or in the console): the
		// bot does not speak in a conversation a person owns.
		s.Log.Info("bot reply dropped: a person took the conversation during the turn", "conversation_id", conv.ID)
		return chat.Message{}, nil
	}
	s.captureTurn(ctx, conv, in, r)
	if r.Decision == chat.DecisionHandoff {
		if _, err := s.move(ctx, b, conv, chat.Transition{To: chat.OwnerWaiting, Actor: "bot", Reason: r.Reason, Team: r.Team, Priority: r.Priority}); err != nil {
			return out, err
		}
		s.Metrics.Handoffs.WithLabelValues(r.Reason).Inc()
		s.Kick()
		s.handed(ctx, b, conv, r)
	}
	return out, nil
}

// Handoff moves a bot-owned conversation to the queue on request (e.g. from the app API).
func (s *Service) Handoff(ctx context.Context, id, actor, reason string) (chat.Conversation, error) {
	b := &batch{}
	defer s.flush(ctx, b)
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, err
	}
	if conv.Owner != chat.OwnerBot {
		return conv, chat.Errorf(chat.ECONFLICT, "conversation is already %s", conv.Owner)
	}
	if reason == "" {
		reason = "customer_request"
	}
	if _, err := s.send(ctx, b, conv, chat.Message{ConversationID: id, Author: chat.AuthorSystem,
		Text: s.handoffText(conv, conv.Team, chat.Notice(chat.NoticeHandoff, conv.Lang)), Decision: chat.DecisionHandoff, Reason: reason}); err != nil {
		return conv, err
	}
	conv, err = s.move(ctx, b, conv, chat.Transition{To: chat.OwnerWaiting, Actor: actor, Reason: reason, Team: conv.Team, Priority: conv.Priority})
	if err == nil {
		s.Metrics.Handoffs.WithLabelValues(reason).Inc()
		s.Kick()
	}
	return conv, err
}

// send stores an outgoing message, queues it for channels that need delivery, and batches its event.
func (s *Service) send(ctx context.Context, b *batch, conv chat.Conversation, m chat.Message) (chat.Message, error) {
	m, _, err := s.write(ctx, b, conv, m, false)
	return m, err
}

// reply is send for the bot's reply: stored only while the bot owns the conversation, checked in
// the same statement.
func (s *Service) reply(ctx context.Context, b *batch, conv chat.Conversation, m chat.Message) (chat.Message, bool, error) {
	return s.write(ctx, b, conv, m, true)
}

// write is send, with botOnly only while the bot owns the conversation (stored says if it did).
func (s *Service) write(ctx context.Context, b *batch, conv chat.Conversation, m chat.Message, botOnly bool) (_ chat.Message, stored bool, err error) {
	m.Channel = conv.Channel
	m.CreatedAt = s.Now().UTC()
	if rp, ok := s.Bus.(ReplyPublisher); ok && botOnly {
		// The call's pending events (the customer's message) go out with the reply, in its commit.
		if m, stored, err = rp.PublishReply(ctx, m, s.Outbound[conv.Channel], append(slices.Clip(b.events), messageEvent(m))); err != nil || !stored {
			return m, false, err
		}
		b.events = nil
		s.Metrics.Messages.WithLabelValues(string(m.Author)).Inc()
		return m, true, nil
	}
	if botOnly {
		m, stored, err = s.Store.AddReply(ctx, m, s.Outbound[conv.Channel])
	} else {
		m, err = s.Store.AddMessage(ctx, m, s.Outbound[conv.Channel])
		stored = err == nil
	}
	if err != nil || !stored {
		return m, false, err
	}
	s.Metrics.Messages.WithLabelValues(string(m.Author)).Inc()
	b.add(messageEvent(m))
	return m, true, nil
}

func (s *Service) setOwner(ctx context.Context, b *batch, conv chat.Conversation, to chat.Owner, actor, reason string) (chat.Conversation, error) {
	return s.move(ctx, b, conv, chat.Transition{To: to, Actor: actor, Reason: reason})
}

// move changes the owner as t says (To, Actor, Reason, and for a handoff Team and Priority).
func (s *Service) move(ctx context.Context, b *batch, conv chat.Conversation, t chat.Transition) (chat.Conversation, error) {
	t.ConversationID, t.From, t.At = conv.ID, conv.Owner, s.Now().UTC()
	if t.To == chat.OwnerWaiting {
		if priorityRank[conv.Priority] > priorityRank[t.Priority] {
			t.Priority = conv.Priority // a handoff never lowers a VIP's priority
		}
		t.Due = s.due(t)
	}
	if err := s.Store.SetOwner(ctx, t); err != nil {
		return conv, err
	}
	conv.Owner, conv.Assignee = t.To, t.Assignee
	if t.To == chat.OwnerWaiting {
		conv.Team, conv.Priority, conv.Reason, conv.QueuedAt, conv.FirstResponseDue = t.Team, t.Priority, t.Reason, t.At, t.Due
	}
	b.add(chat.Event{Type: "owner", ConversationID: conv.ID, Owner: t.To})
	b.add(chat.Event{Type: chat.EventQueue, ConversationID: conv.ID, Owner: t.To, Assignee: t.Assignee, Team: conv.Team,
		Priority: conv.Priority, Reason: t.Reason})
	return conv, nil
}

// History returns a conversation and its messages after afterID.
func (s *Service) History(ctx context.Context, id string, afterID int64, limit int) (chat.Conversation, []chat.Message, error) {
	conv, err := s.Store.Conversation(ctx, id)
	if err != nil {
		return conv, nil, err
	}
	msgs, err := s.Store.Messages(ctx, id, afterID, limit)
	return conv, msgs, err
}

// priorityRank orders handoff priorities.
var priorityRank = map[string]int{"low": 1, "": 2, "normal": 2, "high": 3}

// deltaInterval is the least time between two published deltas of one reply.
const deltaInterval = 100 * time.Millisecond

// streamer returns the callback that publishes a reply as it is written: the call's pending
// events (the customer's message) go out first, then "delta" events at most every deltaInterval.
func (s *Service) streamer(ctx context.Context, b *batch, convID string) func(string) {
	var last time.Time
	return func(text string) {
		if len(b.events) > 0 {
			s.flush(ctx, b)
			b.events = nil
		}
		if now := s.Now(); now.Sub(last) >= deltaInterval {
			last = now
			if err := s.Bus.Publish(context.WithoutCancel(ctx), chat.Event{Type: "delta", ConversationID: convID, Text: text}); err != nil {
				s.Log.Warn("publish delta failed", "conversation_id", convID, "err", err)
			}
		}
	}
}

func messageEvent(m chat.Message) chat.Event {
	return chat.Event{Type: "message", ConversationID: m.ConversationID, Message: &m}
}

// flush publishes a call's events, also when the call failed part-way: what was stored is
// announced. Best effort: subscribers that miss an event catch up from the store.
func (s *Service) flush(ctx context.Context, b *batch) {
	if len(b.events) == 0 {
		return
	}
	if err := s.Bus.Publish(context.WithoutCancel(ctx), b.events...); err != nil {
		s.Log.Warn("publish failed", "conversation_id", b.events[0].ConversationID, "err", err)
	}
}

// cleanInbound is the checked text of an inbound message; empty only when it has attachments.
func cleanInbound(in Inbound) (string, error) {
	if len(in.Attachments) > 0 && strings.TrimSpace(in.Text) == "" {
		return "", nil
	}
	return cleanText(in.Text)
}

// ReasonAttachment is the handoff reason of a message the bot cannot read.
const ReasonAttachment = "attachment"

// ReasonOptOut marks the confirmation of an opt-out word in a conversation a person owns.
const ReasonOptOut = "opt_out"

// customerLang is the language to tell the customer something in: the platform's language of
// the message when it has one, else that of what the customer last wrote before message skip,
// else the conversation's.
func (s *Service) customerLang(ctx context.Context, conv chat.Conversation, hint string, skip int64) string {
	if hint != "" {
		return hint
	}
	if recent, err := s.Store.Recent(ctx, conv.ID, historyWindow); err == nil {
		for i := len(recent) - 1; i >= 0; i-- {
			if m := recent[i]; m.Author == chat.AuthorCustomer && m.ID != skip {
				if l := chat.GuessLang(chat.TextOnly(m.Text)); l != "" {
					return l
				}
			}
		}
	}
	return conv.Lang
}

func cleanText(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", chat.Errorf(chat.EINVALID, "text must be valid UTF-8")
	}
	if strings.IndexByte(text, 0) >= 0 {
		return "", chat.Errorf(chat.EINVALID, "text must not contain NUL characters")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", chat.Errorf(chat.EINVALID, "text is required")
	}
	if n := utf8.RuneCountInString(text); n > MaxMessageRunes {
		return "", chat.Errorf(chat.EINVALID, "text is %d characters; the limit is %d", n, MaxMessageRunes)
	}
	return text, nil
}
