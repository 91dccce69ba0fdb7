package action

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"tandem/llm"
	"time"

	"tandem/chat"
)

// Reasons of the turns the action layer decides.
const (
	reasonAsk     = "action_ask"     // a clarify turn asking for a parameter (":" + the action)
	reasonConfirm = "action_confirm" // a clarify turn asking the customer to confirm a write
	// ReasonFailed hands off when a call failed; the error is a note on the transcript.
	ReasonFailed = "action_failed"
	// ReasonIdentity asks the customer to sign in (widget), or hands off where they cannot.
	ReasonIdentity = "needs_identity"
	// ReasonApproval hands off a write that waits for an agent's approval.
	ReasonApproval = "action_approval"
	// ReasonNotOwned: the reference named is not the verified customer's.
	ReasonNotOwned = "action_not_owned"
	// ReasonCanceled: the customer said no to a write.
	ReasonCanceled = "action_canceled"
)

// noteAuthor signs the notes the action layer leaves for agents.
const noteAuthor = "bot"

// Turner runs one bot turn (bot.Bot).
type Turner interface {
	Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error)
}

// Definitions looks up action definitions.
type Definitions interface {
	Action(ctx context.Context, name string) (Definition, error)
	Actions(ctx context.Context) ([]Definition, error)
}

// Customers looks up a conversation's customer.
type Customers interface {
	Customer(ctx context.Context, id string) (chat.Customer, error)
}

// Notes keeps internal notes for agents.
type Notes interface {
	AddNote(ctx context.Context, n chat.Note) (chat.Note, error)
}

// Proposals keeps writes that wait for an agent.
type Proposals interface {
	AddProposal(ctx context.Context, p Proposal) (Proposal, error)
}

// Bot runs the actions intents ask for (chat.ActionRun), around the bot that decides the turn:
// for a verified customer only, with parameters found in the conversation (asked for when
// missing), a write confirmed by the customer, a write that needs approval proposed to an
// agent, and any failure handed to a person with the error noted for them.
type Bot struct {
	Next      Turner
	Defs      Definitions
	Exec      *Executor
	Customers Customers
	Notes     Notes
	Proposals Proposals
	// Chooser, when set (an LLM), picks an action and its arguments from the definitions'
	// descriptions when no pending question or intent does; nil: offline, intents only.
	Chooser Chooser
	// Trusted lists channels whose customers count as verified (TANDEM_ACTION_TRUSTED_CHANNELS).
	Trusted map[string]bool
	Now     func() time.Time
	Log     *slog.Logger
}

// Turn answers one customer message: the reply to a pending question of an action, else the
// next bot's turn, running the action its intent policy names.
func (b *Bot) Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	if kind, name, param, in := pending(history); name != "" {
		switch kind {
		case reasonConfirm:
			if yes, ok := Confirmation(text); ok && !yes {
				return chat.Reply{Text: notice(noticeCanceled, lang(text)), Decision: chat.DecisionAnswer, Reason: ReasonCanceled, Intent: in}, nil
			} else if ok {
				return b.run(ctx, conv, history, text, name, in, true, nil)
			}
		case reasonAsk:
			if d, err := b.Defs.Action(ctx, name); err == nil && answers(d, param, text) {
				return b.run(ctx, conv, history, text, name, in, false, nil)
			}
		}
	}
	if b.Chooser != nil {
		name, args, ok, err := b.choose(ctx, history, text)
		if ok {
			return b.run(ctx, conv, history, text, name, "", false, args)
		}
		if err != nil { // the model failed or timed out: the rest of this turn answers without it
			ctx = llm.WithoutModel(ctx)
		}
	}
	r, err := b.Next.Turn(ctx, conv, history, text, stream)
	if err != nil || r.Action == "" {
		return r, err
	}
	out, err := b.run(ctx, conv, history, text, r.Action, r.Intent, false, nil)
	if out.Confidence == 0 {
		out.Confidence = r.Confidence
	}
	return out, err
}

// pending returns the action question the bot asked last, if its last message asked one: the
// kind, the action, the parameter asked for and the intent.
func pending(history []chat.Message) (kind, name, param, intent string) {
	for i := len(history) - 1; i >= 0; i-- {
		m := history[i]
		if m.Author == chat.AuthorCustomer {
			continue
		}
		if m.Author == chat.AuthorBot {
			if k, rest, ok := strings.Cut(m.Reason, ":"); ok && (k == reasonAsk || k == reasonConfirm) {
				name, param, _ := strings.Cut(rest, ".")
				return k, name, param, m.Intent
			}
		}
		break
	}
	return "", "", "", ""
}

// answers reports whether text answers the question for param: a value its pattern finds, or
// the whole message when it passes the parameter's rules.
func answers(d Definition, param, text string) bool {
	if len(Args(d, []string{text})) > 0 {
		return true
	}
	p, ok := d.Param(param)
	return ok && checkValue(p, strings.TrimSpace(text)) == nil
}

// asked finds the answers the customer gave to the bot's questions for parameters of action
// name: the customer message right after each question, when it passes the parameter's rules.
func asked(d Definition, history []chat.Message, text string) map[string]string {
	out := map[string]string{}
	param := ""
	for _, m := range history {
		switch {
		case m.Author == chat.AuthorBot && strings.HasPrefix(m.Reason, reasonAsk+":"+d.Name+"."):
			param = strings.TrimPrefix(m.Reason, reasonAsk+":"+d.Name+".")
		case m.Author == chat.AuthorCustomer && param != "":
			if p, ok := d.Param(param); ok && checkValue(p, strings.TrimSpace(m.Text)) == nil {
				out[param] = strings.TrimSpace(m.Text)
			}
			param = ""
		case m.Author != chat.AuthorCustomer:
			param = ""
		}
	}
	if p, ok := d.Param(param); ok && param != "" && checkValue(p, strings.TrimSpace(text)) == nil {
		out[param] = strings.TrimSpace(text) // the answer being handled, when history ends at the question
	}
	return out
}

// run takes an action as far as it can go this turn; chosen are arguments a model chose (already
// checked against the definition), which take precedence over those found in the messages.
func (b *Bot) run(ctx context.Context, conv chat.Conversation, history []chat.Message, text, name, in string, confirmed bool, chosen map[string]string) (chat.Reply, error) {
	texts := customerTexts(history, text)
	l := replyLang(texts)
	reply := func(text string, dec chat.Decision, reason string) (chat.Reply, error) {
		return chat.Reply{Text: text, Decision: dec, Reason: reason, Intent: in}, nil
	}
	d, err := b.Defs.Action(ctx, name)
	if err != nil {
		return b.fail(ctx, conv, l, in, name, fmt.Sprintf("the action is not available: %v", err))
	}
	cu, err := b.Customers.Customer(ctx, conv.CustomerID)
	if err != nil {
		return chat.Reply{}, err
	}
	id, ok := Verify(cu, b.Trusted)
	if !ok && cu.Channel == channelWeb {
		return reply(notice(noticeSignIn, l), chat.DecisionClarify, ReasonIdentity)
	}
	if !ok {
		return reply(notice(noticeNoIdHand, l), chat.DecisionHandoff, ReasonIdentity)
	}
	args, missing := Plan(d, history, text)
	if len(chosen) > 0 {
		for k, v := range chosen {
			args[k] = v
		}
		missing, _ = CheckArgs(d, args)
	}
	if len(missing) > 0 {
		p, _ := d.Param(missing[0])
		q := p.Ask[l]
		if q == "" {
			q = notice(noticeAsk, l, cmpOrStr(p.Description, p.Name))
		}
		return reply(q, chat.DecisionClarify, reasonAsk+":"+name+"."+p.Name)
	}
	switch {
	case d.Risk == RiskApproval:
		return b.propose(ctx, conv, d, args, id, text, l, in)
	case d.Risk == RiskWrite && !confirmed:
		return reply(notice(noticeConfirm, l, Summary(d, args, l)), chat.DecisionClarify, reasonConfirm+":"+name)
	}
	res, err := b.Exec.Run(ctx, d, args, id, conv.ID)
	var f *Failure
	switch {
	case errors.As(err, &f) && f.Kind == FailNotOwner:
		return reply(notice(noticeNotOwned, l, ownedValue(d, args)), chat.DecisionClarify, ReasonNotOwned)
	case err != nil:
		return b.fail(ctx, conv, l, in, name, err.Error())
	}
	return reply(pick(res.Reply, l), chat.DecisionAnswer, "")
}

// Plan finds d's arguments in the conversation offline (patterns in the customer's messages,
// newest first, and the answers to the bot's questions) and lists the required ones missing.
func Plan(d Definition, history []chat.Message, text string) (args map[string]string, missing []string) {
	args = Args(d, customerTexts(history, text))
	for k, v := range asked(d, history, text) {
		if _, found := args[k]; !found {
			args[k] = v
		}
	}
	missing, _ = CheckArgs(d, args)
	return args, missing
}

// propose stores a write for an agent to approve and tells the customer it is with a person.
func (b *Bot) propose(ctx context.Context, conv chat.Conversation, d Definition, args map[string]string, id Identity, text, l, in string) (chat.Reply, error) {
	req, err := Build(d, args, id)
	if err != nil {
		return b.fail(ctx, conv, l, in, d.Name, err.Error())
	}
	if _, err := b.Proposals.AddProposal(ctx, Proposal{ConversationID: conv.ID, Action: d.Name, Args: args, CustomerText: text,
		Request: req, CreatedAt: b.now().UTC()}); err != nil {
		return chat.Reply{}, err
	}
	return chat.Reply{Text: notice(noticeApproval, l), Decision: chat.DecisionHandoff, Reason: ReasonApproval, Intent: in}, nil
}

// fail hands the conversation to a person with the error as a note for the agent.
func (b *Bot) fail(ctx context.Context, conv chat.Conversation, l, in, name, detail string) (chat.Reply, error) {
	b.log().Warn("action failed; handing off", "conversation_id", conv.ID, "action", name, "err", detail)
	note := chat.Note{ConversationID: conv.ID, Author: noteAuthor, Text: fmt.Sprintf("Action %s failed: %s", name, detail), CreatedAt: b.now().UTC()}
	if _, err := b.Notes.AddNote(ctx, note); err != nil {
		b.log().Error("action failure note not stored", "conversation_id", conv.ID, "err", err)
	}
	return chat.Reply{Text: notice(noticeFailed, l), Decision: chat.DecisionHandoff, Reason: ReasonFailed, Intent: in}, nil
}

// customerTexts are the customer's messages, the one being answered first, then earlier ones
// newest first.
func customerTexts(history []chat.Message, text string) []string {
	out := []string{text}
	for i := len(history) - 1; i >= 0; i-- {
		if m := history[i]; m.Author == chat.AuthorCustomer && m.Text != text {
			out = append(out, m.Text)
		}
	}
	return out
}

// Summary says what a write will do: its description and arguments.
func Summary(d Definition, args map[string]string, l string) string {
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, k+": "+args[k])
	}
	return pick(d.Description, l) + " (" + strings.Join(parts, ", ") + ")"
}

// ownedValue is the value of the first owned parameter, for the "not on your account" reply.
func ownedValue(d Definition, args map[string]string) string {
	for _, p := range d.Params {
		if p.Owned {
			return args[p.Name]
		}
	}
	return ""
}

// pick returns the text in lang, else in any language.
func pick(texts map[string]string, l string) string {
	if t := texts[l]; t != "" {
		return t
	}
	for _, other := range []string{"en", "zh"} {
		if t := texts[other]; t != "" {
			return t
		}
	}
	return ""
}

func cmpOrStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (b *Bot) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

func (b *Bot) log() *slog.Logger {
	if b.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Log
}

// drafter drafts replies for agents (bot.Bot).
type drafter interface {
	Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error)
}

// Draft writes a reply for the agent who holds the conversation with the next bot. Actions never
// run for a draft: a person is talking to the customer, and a draft must change nothing.
func (b *Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	if d, ok := b.Next.(drafter); ok {
		return d.Draft(ctx, history, text, stream)
	}
	return chat.Reply{}, nil
}
