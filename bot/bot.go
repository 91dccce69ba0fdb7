// Package bot runs one turn of the bot: it decides whether to answer, and with what, or to hand
// the conversation to a person. It never changes ownership itself; conversation acts on the Reply.
package bot

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"tandem/chat"
	"tandem/llm"
	"tandem/retrieval"
)

// Settings of a turn.
const (
	// DefaultTargetPrecision is the least P(the top answer is right) at which the bot answers
	// instead of handing off, unless the trainer sets another.
	DefaultTargetPrecision = 0.8
	// searchK is how many hits a turn looks at.
	searchK = 5
	// maxAnswerSentences bounds an extractive answer.
	maxAnswerSentences = 4
	// maxAnswerRunes bounds an extractive answer's length.
	maxAnswerRunes = 600
)

// Searcher finds knowledge for a query.
type Searcher interface {
	Search(ctx context.Context, q retrieval.Query) []retrieval.Result
	QueryWeight(query string) float64
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
	// Calibrator returns the calibrator fitted by trainers, which maps retrieval signals to
	// P(the top answer is right) (nil, or returning nil: DefaultCalibrator).
	Calibrator func() *Calibrator
	// TargetPrecision is the least P(right) to answer (0: DefaultTargetPrecision); Target, when set,
	// is asked every turn instead (a trainer can change it while the bot runs).
	TargetPrecision float64
	Target          func() float64
	LLM             Generator    // nil: offline, extractive answers
	Log             *slog.Logger // nil: discard
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
				text := in.Answers[lang]
				if text == "" {
					text = in.Answer
				}
				for _, a := range in.Answers { // only another language's answer exists
					if text == "" {
						text = a
					}
				}
				return chat.Reply{Text: text, Confidence: p, Decision: chat.DecisionAnswer, Intent: in.Name}, nil
			case chat.ActionHandoff:
				return chat.Reply{Text: chat.Notice(chat.NoticeHandoff, lang), Confidence: p, Decision: chat.DecisionHandoff,
					Reason: "intent_policy", Intent: in.Name, Team: in.Team, Priority: in.Priority}, nil
			}
			matched = in
		}
	}
	r, err := b.answer(ctx, text, lang, earlier, stream)
	r.Intent = matched.Name
	return r, err
}

// answer answers from the knowledge base.
func (b *Bot) answer(ctx context.Context, text, lang string, earlier []string, stream func(string)) (chat.Reply, error) {
	start := time.Now()
	f := b.contextual(ctx, text, lang, earlier)
	query, hits, conf, sig := f.query, f.hits, f.conf, f.sig
	timings := map[string]float64{"search": millis(time.Since(start))}
	if unrelated(hits) {
		return chat.Reply{Text: chat.Notice(chat.NoticeNoAnswer, lang), Decision: chat.DecisionHandoff, Reason: "out_of_scope", Timings: timings}, nil
	}
	signals := map[string]float64{"coverage": sig.Coverage, "margin": sig.Margin, "vector": sig.Vector, "agreement": sig.Agreement}
	top := hits[0]
	src := []chat.Source{{ID: top.Doc.ID, Title: top.Doc.Title, URL: top.Doc.URL, Score: lexicalScore(top)}}
	if conf < b.target() && ambiguous(hits) {
		return chat.Reply{Text: chat.Notice(chat.NoticeClarify, lang), Sources: options(hits), Confidence: conf,
			Decision: chat.DecisionClarify, Reason: "ambiguous", Timings: timings, Signals: signals}, nil
	}
	if conf < b.target() {
		return chat.Reply{Text: chat.Notice(chat.NoticeNoAnswer, lang), Sources: src, Confidence: conf,
			Decision: chat.DecisionHandoff, Reason: "low_confidence", Timings: timings, Signals: signals}, nil
	}
	if top.Doc.Kind == "faq" { // a trainer-written answer is given whole, never rewritten
		return chat.Reply{Text: top.Doc.Body, Sources: src, Confidence: conf, Decision: chat.DecisionAnswer, Timings: timings, Signals: signals}, nil
	}
	if b.LLM != nil {
		start := time.Now()
		r, ok := b.generate(ctx, query, lang, hits, conf, stream)
		timings["generate"] = millis(time.Since(start))
		if ok {
			if r.Signals != nil { // the model's own token probability, when it gives one
				signals["token_prob"] = r.Signals["token_prob"]
			}
			r.Timings, r.Signals = timings, signals
			return r, nil
		}
	}
	return chat.Reply{Text: Extract(top.Chunk.Text, query), Sources: src, Confidence: conf, Decision: chat.DecisionAnswer, Timings: timings, Signals: signals}, nil
}

// generate asks the LLM to answer from the top chunks. A refusal hands off; a failure or an answer
// that cites no source returns ok=false so the caller falls back to the extractive answer.
func (b *Bot) generate(ctx context.Context, text, lang string, hits []retrieval.Result, conf float64, stream func(string)) (chat.Reply, bool) {
	n := min(genSources, len(hits))
	sources := make([]llm.Source, n)
	for i, h := range hits[:n] {
		sources[i] = llm.Source{Title: h.Doc.Title, Text: h.Chunk.Text}
	}
	a, err := b.LLM.Answer(ctx, text, sources, lang, stream)
	switch {
	case err != nil:
		b.log().Warn("generation failed; answering extractively", "err", err)
		return chat.Reply{}, false
	case a.Refused:
		return chat.Reply{Text: chat.Notice(chat.NoticeNoAnswer, lang), Confidence: conf, Decision: chat.DecisionHandoff,
			Reason: "low_confidence"}, true
	case len(a.Citations) == 0:
		b.log().Warn("generated answer cites no source; answering extractively")
		return chat.Reply{}, false
	}
	var src []chat.Source
	for _, i := range a.Citations {
		h := hits[i]
		src = append(src, chat.Source{ID: h.Doc.ID, Title: h.Doc.Title, URL: h.Doc.URL, Score: lexicalScore(h)})
	}
	r := chat.Reply{Text: a.Text, Sources: src, Confidence: conf, Decision: chat.DecisionAnswer}
	if a.TokenProb > 0 {
		r.Signals = map[string]float64{"token_prob": a.TokenProb}
	}
	return r, true
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
}

// lookup searches once and measures the result.
func (b *Bot) lookup(ctx context.Context, query, lang string) found {
	f := found{query: query, hits: b.search(ctx, query, lang)}
	f.sig = Measure(f.hits, b.Knowledge.QueryWeight(query))
	c := DefaultCalibrator
	if b.Calibrator != nil {
		if fitted := b.Calibrator(); fitted != nil {
			c = *fitted
		}
	}
	f.conf = math.Round(c.P(f.sig)*1000) / 1000
	return f
}

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
	return a.Norm >= 0.25 && b.Raw >= 0.9*a.Raw
}

// options are the documents a clarifying question offers, as sources the customer can open.
func options(hits []retrieval.Result) []chat.Source {
	var out []chat.Source
	for _, h := range hits[:2] {
		out = append(out, chat.Source{ID: h.Doc.ID, Title: h.Doc.Title, URL: h.Doc.URL, Score: lexicalScore(h)})
	}
	return out
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

// Extract answers from body with the sentences that share most tokens with the question, in
// their original order, starting with the body's first paragraph when nothing stands out.
func Extract(body, question string) string {
	sents := sentences(body)
	if len(sents) == 0 {
		return body
	}
	q := map[string]bool{}
	for _, t := range retrieval.Tokens(question) {
		q[t] = true
	}
	type scored struct {
		i     int
		score int
	}
	var best []scored
	for i, s := range sents {
		n := 0
		for _, t := range retrieval.Tokens(s) {
			if q[t] {
				n++
			}
		}
		best = append(best, scored{i, n})
	}
	// Keep the first sentence (articles lead with the answer) and the best-matching others.
	keep := map[int]bool{0: true}
	for range maxAnswerSentences - 1 {
		bi := -1
		for _, s := range best {
			if !keep[s.i] && s.score > 0 && (bi < 0 || s.score > best[bi].score) {
				bi = s.i
			}
		}
		if bi < 0 {
			break
		}
		keep[bi] = true
	}
	for i := 1; len(keep) < 3 && i < len(sents); i++ {
		keep[i] = true
	}
	var b strings.Builder
	for i, s := range sents {
		if !keep[i] || len([]rune(b.String()))+len([]rune(s)) > maxAnswerRunes {
			continue
		}
		if b.Len() > 0 && !retrieval.HasHan(s) {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

// sentences splits Markdown body text into plain sentences, dropping headings, list markers and
// sentences that instruct a model.
func sentences(body string) []string {
	return slices.DeleteFunc(retrieval.Sentences(body), retrieval.Instructs)
}
