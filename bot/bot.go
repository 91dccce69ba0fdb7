// Package bot runs one turn of the bot: it decides whether to answer, and with what, or to hand
// the conversation to a person. It never changes ownership itself; conversation acts on the Reply.
package bot

import (
	"context"
	"log/slog"
	"math"
	"time"

	"tandem/chat"
	"tandem/llm"
	"tandem/retrieval"
)

// Settings of a turn.
const (
	// DefaultTargetPrecision is the precision the bot's answers aim at unless the trainer sets
	// another: it answers at the calibration curve's threshold for it (Calibrator.Threshold).
	// DESIGN's 90 % answered only 0.854 of the demo's Chinese natural questions; 80 % answered
	// 4 of its 36 out-of-scope ones; 85 % answered 0.906 with 2 of 36.
	DefaultTargetPrecision = 0.85
	// searchK is how many hits a turn looks at.
	searchK = 5
)

// Searcher finds knowledge for a query.
type Searcher interface {
	Search(ctx context.Context, q retrieval.Query) []retrieval.Result
	QueryWeight(query string) float64
	// Unseen is the share of query's words the knowledge never uses, counting the words only
	// document without has as unused too (retrieval.Index.Unseen).
	Unseen(query, without string) (share float64, words int)
}

// Corrector is a Searcher that reads misspelt words as the knowledge base's own
// (retrieval.Index.Correct).
type Corrector interface {
	Correct(text string) string
}

// Generator writes an answer grounded in sources (llm.Chat); onDelta, when set, receives the
// text so far as it is written.
type Generator interface {
	Answer(ctx context.Context, question string, sources []llm.Source, lang string, onDelta func(string)) (llm.Answer, error)
}

// genSources is how many of the top documents are given to the generator.
const genSources = 3

// IntentRouter classifies a message into a trainer-defined intent when confident (intent.Live).
type IntentRouter interface {
	Route(text string) (chat.Intent, float64, bool)
}

// Bot answers from the knowledge base: with an LLM when one is configured, else (and whenever
// the LLM fails) with the best-supported sentences of the best chunk. Trainer-defined intents
// come first: a canned answer, a handoff to a team, or on to the knowledge base.
type Bot struct {
	Knowledge Searcher
	Intents   IntentRouter // nil: no intents
	// Calibrator returns the calibrator for a language — fitted by trainers, or on the knowledge
	// base itself — which maps retrieval signals to P(the top answer is right) (nil, or returning
	// nil: DefaultCalibrator).
	Calibrator func(lang string) *Calibrator
	// TargetPrecision is the least P(right) to answer (0: DefaultTargetPrecision); Target, when set,
	// is asked every turn instead (a trainer can change it while the bot runs).
	TargetPrecision float64
	Target          func() float64
	LLM             Generator    // nil: offline, extractive answers
	Log             *slog.Logger // nil: discard

	parsed parsedCache // the articles extractive answers were taken from, parsed
}

// Turn decides the reply to the customer's latest text given the conversation so far; stream,
// when set, receives a generated answer as it is written.
func (b *Bot) Turn(ctx context.Context, conv chat.Conversation, history []chat.Message, text string, stream func(string)) (chat.Reply, error) {
	lang := Lang(text)
	if WantsHuman(text) {
		return chat.Reply{Text: chat.Notice(chat.NoticeHandoff, lang), Decision: chat.DecisionHandoff, Reason: "customer_request"}, nil
	}
	earlier := customerTexts(history, text)
	if !offered(history) {
		if Frustrated(text) {
			return chat.Reply{Text: chat.Notice(chat.NoticeOffer, lang), Decision: chat.DecisionClarify, Reason: "frustration"}, nil
		}
		if looping(earlier, text) {
			return chat.Reply{Text: chat.Notice(chat.NoticeOffer, lang), Decision: chat.DecisionClarify, Reason: "loop"}, nil
		}
	}
	var matched chat.Intent
	if b.Intents != nil {
		if in, p, ok := b.Intents.Route(text); ok {
			p = math.Round(p*1000) / 1000
			switch in.Action {
			case chat.ActionAnswer:
				return chat.Reply{Text: canned(in, lang), Confidence: p, Decision: chat.DecisionAnswer, Intent: in.Name}, nil
			case chat.ActionHandoff:
				return chat.Reply{Text: chat.Notice(chat.NoticeHandoff, lang), Confidence: p, Decision: chat.DecisionHandoff,
					Reason: "intent_policy", Intent: in.Name, Team: in.Team, Priority: in.Priority}, nil
			case chat.ActionRun: // the action layer (package action) runs it and replaces this reply
				return chat.Reply{Confidence: p, Decision: chat.DecisionAnswer, Intent: in.Name, Action: in.Run}, nil
			}
			matched = in
		}
	}
	r, err := b.answer(ctx, text, lang, earlier, stream)
	r.Intent = matched.Name
	return r, err
}

// canned is an answer intent's reply in lang, else its default, else any language's.
func canned(in chat.Intent, lang string) string {
	text := in.Answers[lang]
	if text == "" {
		text = in.Answer
	}
	for _, a := range in.Answers { // only another language's answer exists
		if text == "" {
			text = a
		}
	}
	return text
}

// answer answers from the knowledge base.
func (b *Bot) answer(ctx context.Context, text, lang string, earlier []string, stream func(string)) (chat.Reply, error) {
	start := time.Now()
	f := b.contextual(ctx, text, lang, earlier)
	timings := map[string]float64{"search": millis(time.Since(start))}
	if unrelated(f.hits) {
		return chat.Reply{Text: chat.Notice(chat.NoticeNoAnswer, lang), Decision: chat.DecisionHandoff, Reason: "out_of_scope", Timings: timings}, nil
	}
	v := b.verdict(f)
	v.Timings = timings
	switch v.Decision {
	case chat.DecisionClarify:
		v.Text, v.Sources = chat.Notice(chat.NoticeClarify, lang), options(f.hits)
		return v, nil
	case chat.DecisionHandoff:
		v.Text = chat.Notice(chat.NoticeNoAnswer, lang)
		return v, nil
	}
	w := b.write(ctx, f, lang, stream, timings)
	if w.Refused {
		v.Text, v.Decision, v.Reason, v.Sources = chat.Notice(chat.NoticeNoAnswer, lang), chat.DecisionHandoff, "low_confidence", nil
		return v, nil
	}
	v.Text, v.Sources = w.Text, w.Sources
	if w.TokenProb > 0 { // the model's own token probability, when it gives one
		v.Signals["token_prob"] = w.TokenProb
	}
	return v, nil
}

// verdict is what the bot does with a search that found something related: answer, ask which
// article the customer means, or hand off for low confidence; the Reply has no text yet.
func (b *Bot) verdict(f found) chat.Reply {
	sig := f.sig
	signals := map[string]float64{"coverage": sig.Coverage, "margin": sig.Margin, "vector": sig.Vector, "agreement": sig.Agreement,
		"phrase": sig.Phrase, "phrase_lead": sig.PhraseLead, "unanimous": sig.Unanimous, "unseen": sig.Unseen, "threshold": f.threshold}
	r := chat.Reply{Sources: []chat.Source{source(f.hits[0])}, Confidence: f.conf, Decision: chat.DecisionAnswer, Signals: signals}
	switch {
	case (f.conf < f.threshold || f.tied) && ambiguous(f.hits):
		r.Decision, r.Reason = chat.DecisionClarify, "ambiguous"
	case f.conf < f.threshold || f.tied:
		r.Decision, r.Reason = chat.DecisionHandoff, "low_confidence"
	}
	return r
}

// written is an answer's text from the top sources, with the sources it used.
type written struct {
	Text      string
	Sources   []chat.Source
	TokenProb float64
	Refused   bool // the model said the sources do not answer the question
}

// write answers from the top hits: an FAQ entry verbatim, else with the LLM when one is
// configured and it cites a source, else extractively from the best chunk.
func (b *Bot) write(ctx context.Context, f found, lang string, stream func(string), timings map[string]float64) written {
	top := f.hits[0]
	if top.Doc.Kind == "faq" { // a trainer-written answer is given whole, never rewritten
		return written{Text: top.Doc.Body, Sources: []chat.Source{source(top)}}
	}
	if b.LLM != nil {
		start := time.Now()
		w, ok := b.generate(ctx, f.query, lang, f.hits, stream)
		timings["generate"] = millis(time.Since(start))
		if ok {
			return w
		}
	}
	return written{Text: b.parsed.get(top.Chunk.Text).extract(f.query), Sources: []chat.Source{source(top)}}
}

func source(h retrieval.Result) chat.Source {
	return chat.Source{ID: h.Doc.ID, Title: h.Doc.Title, URL: h.Doc.URL, Score: lexicalScore(h)}
}

// generate asks the LLM to answer from the top chunks. A refusal is Refused; a failure or an
// answer that cites no source returns ok=false so the caller falls back to the extractive answer.
func (b *Bot) generate(ctx context.Context, text, lang string, hits []retrieval.Result, stream func(string)) (written, bool) {
	n := min(genSources, len(hits))
	sources := make([]llm.Source, n)
	for i, h := range hits[:n] {
		sources[i] = llm.Source{Title: h.Doc.Title, Text: h.Chunk.Text}
	}
	a, err := b.LLM.Answer(ctx, text, sources, lang, stream)
	switch {
	case err != nil:
		b.log().Warn("generation failed; answering extractively", "err", err)
		return written{}, false
	case a.Refused:
		return written{Refused: true}, true
	case len(a.Citations) == 0:
		b.log().Warn("generated answer cites no source; answering extractively")
		return written{}, false
	}
	w := written{Text: a.Text, TokenProb: a.TokenProb}
	for _, i := range a.Citations {
		w.Sources = append(w.Sources, source(hits[i]))
	}
	return w, true
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (b *Bot) log() *slog.Logger {
	if b.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Log
}

// Rewriter turns a follow-up into a standalone question (llm.Chat).
type Rewriter interface {
	Rewrite(ctx context.Context, earlier []string, question string) (string, error)
}

// contextual returns the query to search for: a follow-up question ("and for travel policies?")
// is rewritten by the LLM when one is configured, else joined to the customer's previous question
// when that finds a better-covered match.
func (b *Bot) contextual(ctx context.Context, text, lang string, earlier []string) found {
	if len(earlier) == 0 || !followUp(text) {
		return b.lookup(ctx, text, lang)
	}
	if rw, ok := b.LLM.(Rewriter); ok {
		q, err := rw.Rewrite(ctx, earlier[max(0, len(earlier)-3):], text)
		if err == nil {
			return b.lookup(ctx, q, lang)
		}
		b.log().Warn("follow-up rewrite failed; using the heuristic", "err", err)
	}
	solo, both := b.lookup(ctx, text, lang), b.lookup(ctx, earlier[len(earlier)-1]+" "+text, lang)
	if len(both.hits) > 0 && (len(solo.hits) == 0 || both.conf > solo.conf) {
		return both
	}
	return solo
}

// found is one search with what the bot reads from it.
type found struct {
	query string
	hits  []retrieval.Result
	sig   Signals
	conf  float64 // calibrated P(the top hit is right), rounded to 0.001
	// threshold is the least conf answered at the target precision (Calibrator.Threshold); tied,
	// whether the top two documents are tied (never answered: a coin flip).
	threshold float64
	tied      bool
}

// lookup searches once and measures the result.
func (b *Bot) lookup(ctx context.Context, query, lang string) found {
	if c, ok := b.Knowledge.(Corrector); ok {
		query = c.Correct(query)
	}
	f := found{query: query, hits: b.search(ctx, query, lang)}
	f.sig = Measure(f.hits, b.Knowledge.QueryWeight(query))
	f.sig.SetUnseen(b.Knowledge.Unseen(query, ""))
	c := DefaultCalibrator
	if b.Calibrator != nil {
		if fitted := b.Calibrator(lang); fitted != nil {
			c = *fitted
		}
	}
	p := c.P(f.sig)
	if f.tied = tied(f.sig); f.tied {
		p = min(p, tieCeiling)
	}
	if b.namesOther(query) {
		p = min(p, otherOrgCeiling)
	}
	f.conf = math.Round(p*1000) / 1000
	f.threshold = c.Threshold(b.target())
	return f
}

// tieCeiling bounds P(right) when the top two documents are tied: choosing between them is at best a
// coin flip, whatever the calibrator makes of the other signals.
const tieCeiling = 0.5

// tied reports whether the top document leads the runner-up neither in the body's words nor in its
// similar questions.
func tied(s Signals) bool { return s.Coverage > 0 && s.Margin < 0.02 && s.PhraseLead < 0.02 }

// search returns the best chunk of each of the top documents, preferring the customer's
// language and falling back to all.
func (b *Bot) search(ctx context.Context, text, lang string) []retrieval.Result {
	rs := b.Knowledge.Search(ctx, retrieval.Query{Text: text, K: searchK * 4, Filter: retrieval.Filter{Lang: lang}})
	if len(rs) == 0 {
		rs = b.Knowledge.Search(ctx, retrieval.Query{Text: text, K: searchK * 4})
	}
	return retrieval.TopDocuments(rs, searchK)
}

// ambiguous reports whether the top two documents match the question about equally well and
// both well: asking which one the customer means beats handing off or guessing.
func ambiguous(hits []retrieval.Result) bool {
	if len(hits) < 2 || hits[0].Lexical == nil || hits[1].Lexical == nil {
		return false
	}
	a, b := hits[0].Lexical, hits[1].Lexical
	if p, q := hits[0].Phrase, hits[1].Phrase; p != nil && q != nil && min(p.Score, q.Score) < ambiguousPhraseFloor {
		return false // one of them is not close to any way the customer's question is asked
	}
	return a.Norm >= 0.25 && b.Raw >= 0.9*a.Raw
}

// ambiguousPhraseFloor is how close the question must be to a title or similar question of each of
// the two articles for the bot to ask which one is meant instead of handing off.
const ambiguousPhraseFloor = 0.3

// options are the documents a clarifying question offers, as sources the customer can open.
func options(hits []retrieval.Result) []chat.Source {
	return []chat.Source{source(hits[0]), source(hits[1])}
}

// unrelated reports whether nothing was found that shares a word with the question or is at
// least moderately similar in vector space (hashed vectors always overlap a little).
func unrelated(hits []retrieval.Result) bool {
	for _, h := range hits {
		if h.Lexical != nil || (h.Vector != nil && h.Vector.Norm >= 0.5) {
			return false
		}
	}
	return true
}

func lexicalScore(r retrieval.Result) float64 {
	if r.Lexical == nil {
		return 0
	}
	return r.Lexical.Raw
}

func (b *Bot) target() float64 {
	if b.Target != nil {
		if t := b.Target(); t > 0 {
			return t
		}
	}
	if b.TargetPrecision > 0 {
		return b.TargetPrecision
	}
	return DefaultTargetPrecision
}

// Lang guesses the customer's language: "zh" when the text has Chinese characters, else "en".
func Lang(text string) string {
	if retrieval.HasHan(text) {
		return "zh"
	}
	return "en"
}
