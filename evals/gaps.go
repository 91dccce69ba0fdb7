package evals

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"tandem/retrieval"
)

// PolicyHandoff reports whether a handoff reason is a right handoff by rule, not a question the
// knowledge base failed: the customer asked for a person, or an intent's policy sends that kind
// of request to people. Such handoffs are no knowledge gaps, and an eval case made from one
// expects a handoff.
func PolicyHandoff(reason string) bool {
	return reason == "customer_request" || reason == "intent_policy"
}

// HandedOff is a customer question the bot handed to a person, and what the person answered.
type HandedOff struct {
	Text           string    `json:"text"`
	Answer         string    `json:"answer,omitempty"`
	ConversationID string    `json:"conversation_id"`
	At             time.Time `json:"at"`
}

// Gap is a cluster of handed-off questions the knowledge base did not answer: a missing article.
type Gap struct {
	Key      string    `json:"key"` // stable: from the cluster's first question
	Size     int       `json:"size"`
	Examples []string  `json:"examples"` // up to 5 questions
	Answers  []string  `json:"answers"`  // up to 3 distinct agent answers
	FirstAt  time.Time `json:"first_at"`
	LastAt   time.Time `json:"last_at"`
	// Title and Article pre-fill a knowledge article: the first question and the agents' answers.
	Title   string `json:"title"`
	Article string `json:"article"`
	// Once an article exists (ArticleAt), the cluster's handoffs per day before and after it.
	ArticleID  string     `json:"article_id"`
	ArticleAt  *time.Time `json:"article_at,omitempty"`
	RateBefore float64    `json:"rate_before"`
	RateAfter  float64    `json:"rate_after"`
	Before     int        `json:"handoffs_before"`
	After      int        `json:"handoffs_after"`
}

// gapOverlap is the share of the shorter question's terms two questions must share to be one gap.
const gapOverlap = 0.6

// Gaps clusters handed-off questions by shared terms (Chinese and English), largest first.
// articles maps an article id (Gap.ArticleID) to when it was written, for before/after rates.
func Gaps(qs []HandedOff, articles map[string]time.Time, now time.Time) []Gap {
	sort.SliceStable(qs, func(i, k int) bool { return qs[i].At.Before(qs[k].At) })
	type cluster struct {
		terms map[string]bool
		qs    []HandedOff
	}
	var cs []*cluster
	for _, q := range qs {
		terms := termSet(q.Text)
		if len(terms) == 0 {
			continue
		}
		var best *cluster
		bestScore := 0.0
		for _, c := range cs {
			if s := overlap(terms, c.terms); s >= gapOverlap && s > bestScore {
				best, bestScore = c, s
			}
		}
		if best == nil {
			best = &cluster{terms: terms}
			cs = append(cs, best)
		}
		best.qs = append(best.qs, q)
	}
	out := make([]Gap, 0, len(cs))
	for _, c := range cs {
		out = append(out, gapOf(c.qs, articles, now))
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Size > out[k].Size })
	return out
}

func gapOf(qs []HandedOff, articles map[string]time.Time, now time.Time) Gap {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(qs[0].Text))))
	g := Gap{Key: hex.EncodeToString(sum[:6]), Size: len(qs), FirstAt: qs[0].At, LastAt: qs[len(qs)-1].At, Title: qs[0].Text}
	g.ArticleID = "gap-" + g.Key
	seen := map[string]bool{}
	for _, q := range qs {
		if len(g.Examples) < 5 && !seen["q:"+q.Text] {
			g.Examples = append(g.Examples, q.Text)
		}
		seen["q:"+q.Text] = true
		if a := strings.TrimSpace(q.Answer); a != "" && len(g.Answers) < 3 && !seen["a:"+a] {
			g.Answers = append(g.Answers, a)
			seen["a:"+a] = true
		}
	}
	g.Article = strings.Join(g.Answers, "\n\n")
	if at, ok := articles[g.ArticleID]; ok {
		g.ArticleAt = &at
		for _, q := range qs {
			if q.At.Before(at) {
				g.Before++
			} else {
				g.After++
			}
		}
		g.RateBefore = perDay(g.Before, at.Sub(g.FirstAt))
		g.RateAfter = perDay(g.After, now.Sub(at))
	}
	return g
}

// perDay is n over d in days (at least one day).
func perDay(n int, d time.Duration) float64 {
	days := max(d.Hours()/24, 1)
	return round(float64(n) / days)
}

func termSet(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range retrieval.Tokens(text) {
		out[t] = true
	}
	return out
}

// overlap is the share of the smaller set's terms the other has.
func overlap(a, b map[string]bool) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return float64(n) / float64(max(len(a), 1))
}
