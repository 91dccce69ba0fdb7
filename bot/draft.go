package bot

import (
	"context"
	"math"
	"strings"
	"unicode/utf8"

	"tandem/chat"
	"tandem/retrieval"
)

// Reasons a draft is empty.
const (
	// ReasonNothingAsked: the customer has asked for a person but not said what about.
	ReasonNothingAsked = "nothing_asked"
	// ReasonOutOfScope: nothing in the knowledge base is related to the question.
	ReasonOutOfScope = "out_of_scope"
)

// Draft writes the best reply the bot can for the agent who owns (or is taking) the
// conversation, to the customer's latest question: where the bot would answer, its answer; where
// it would hand off or ask which article is meant, its best attempt from the top sources anyway,
// with Decision and Reason saying what it would have done. A request for a person
// ("talk to a human") is not a question: the draft answers what the customer asked before it.
// The text is empty only when nothing relevant was found (out_of_scope) or nothing was asked
// (nothing_asked).
func (b *Bot) Draft(ctx context.Context, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	asked := append(customerTexts(history, text), text)
	i := len(asked) - 1
	for i >= 0 && !substantive(asked[i]) {
		i--
	}
	if i < 0 {
		return chat.Reply{Decision: chat.DecisionHandoff, Reason: ReasonNothingAsked}, nil
	}
	question, earlier := asked[i], asked[:i]
	lang := Lang(question)
	if b.Intents != nil {
		if in, p, ok := b.Intents.Route(question); ok && in.Action == chat.ActionAnswer {
			return chat.Reply{Text: canned(in, lang), Confidence: math.Round(p*1000) / 1000, Decision: chat.DecisionAnswer, Intent: in.Name}, nil
		}
	}
	f := b.contextual(ctx, question, lang, earlier)
	if unrelated(f.hits) {
		return chat.Reply{Decision: chat.DecisionHandoff, Reason: ReasonOutOfScope, Confidence: f.conf}, nil
	}
	r := b.verdict(f)
	w := b.write(ctx, f, lang, stream, map[string]float64{})
	if w.Refused || w.Text == "" { // the model would not say; the extract is still the agent's best start
		top := f.hits[0]
		w = written{Text: b.parsed.get(top.Chunk.Text).extract(f.query), Sources: []chat.Source{source(top)}}
	}
	r.Text, r.Sources = w.Text, w.Sources
	if r.Decision == chat.DecisionClarify { // the agent sees both articles the bot hesitated between
		r.Sources = append(r.Sources, source(f.hits[1]))
	}
	return r, nil
}

// requestWords are the words that, with a request for a person, say nothing about the question.
var requestWords = map[string]bool{
	"want": true, "talk": true, "speak": true, "need": true, "pleas": true, "pls": true, "get": true, "connect": true,
	"transfer": true, "put": true, "through": true, "now": true, "help": true, "hello": true, "hi": true,
	"useless": true, "stupid": true, "bot": true, "robot": true,
	"我": true, "要": true, "想": true, "找": true, "请": true, "帮": true, "转": true, "接": true, "给": true, "你": true,
}

// substantive reports whether a customer message asks something the knowledge base could answer:
// not only a request for a person or an expression of frustration.
func substantive(text string) bool {
	if !WantsHuman(text) && !Frustrated(text) {
		return true
	}
	t := strings.ToLower(text)
	for _, p := range humanPhrases {
		t = strings.ReplaceAll(t, p, " ")
	}
	n := 0
	for _, tok := range retrieval.Tokens(t) {
		if !requestWords[tok] && utf8.RuneCountInString(tok) > 0 && !(retrieval.HasHan(tok) && utf8.RuneCountInString(tok) > 1) {
			n++ // a Chinese bigram repeats its characters: only characters count
		}
	}
	return n >= 2
}
