package bot

import (
	"context"
	"math"
	"sort"

	"tandem/chat"
	"tandem/retrieval"
)

// KnowledgeFit is the answer calibrator fitted on a deployment's own knowledge: every similar
// question asked as the customer's text with itself held out (right when its article comes first),
// and asked again with its article left out of the knowledge base (never right: the question the
// bot must hand off). Each language the knowledge holds gets its own calibrator when it has
// enough questions, checked on the half of the questions it was not fitted on.
type KnowledgeFit struct {
	Version string              `json:"version"` // the knowledge version it was fitted on
	Target  float64             `json:"target"`
	Langs   map[string]*LangFit `json:"langs"`
	Pooled  *Calibrator         `json:"pooled,omitempty"` // all languages together, for a language without its own
}

// LangFit is one language's fitted calibrator and how it did on the held-out half.
type LangFit struct {
	Calibrator Calibrator `json:"calibrator"`
	Questions  int        `json:"questions"` // similar questions asked
	Found      float64    `json:"found"`     // share of them whose article came first
	HeldOut    int        `json:"held_out"`  // turns in the held-out half (each question twice)
	ECE        float64    `json:"ece"`       // expected calibration error on the held-out half
	Threshold  float64    `json:"threshold"` // the least P(right) answered at the target precision
	Coverage   float64    `json:"coverage"`  // share of held-out answerable turns answered right at the threshold
	Precision  float64    `json:"precision"` // precision of the held-out answers at the threshold
}

// For returns the calibrator for a language (nil when there is none).
func (f *KnowledgeFit) For(lang string) *Calibrator {
	if f == nil {
		return nil
	}
	if l := f.Langs[lang]; l != nil {
		return &l.Calibrator
	}
	return f.Pooled
}

// AnswerableShare is the share of customers' questions taken to have an article. Each similar
// question is asked twice, with its article and without, so unweighted the fit would assume that
// half of all questions cannot be answered, and P(right) would be too low for a help centre, where
// most questions are about something it has written up; the two askings are weighted by this share
// and its complement (a prior-shift correction), in the fit and in its held-out check.
const AnswerableShare = 0.9

// minFitQuestions is the least number of similar questions a language needs for its own
// calibrator; with fewer it uses the pooled one.
const minFitQuestions = 20

// fitFolds is how many parts the similar questions are split into: each part is asked of the
// knowledge base without that part's questions.
const fitFolds = 3

// FitKnowledge fits calibrators on the documents' similar questions, searching the way a bot turn
// does; fold returns a searcher over the knowledge without the phrasings drop selects. progress,
// when set, is told how many of the questions are done.
func FitKnowledge(ctx context.Context, fold func(drop func(docID, phrasing string) bool) Searcher, docs []chat.Document, target float64, progress func(done, total int)) (*KnowledgeFit, error) {
	fit, check, count, found, err := knowledgeSamples(ctx, fold, docs, false, progress)
	if err != nil {
		return nil, err
	}
	return fitLanguages(fit, check, count, found, target), nil
}

// FitDefault fits the shipped default calibrator on a knowledge base with similar questions: its
// questions asked as FitKnowledge asks them, and again of the knowledge without any similar
// questions (so the default also suits a knowledge base that has none), pooled over languages.
func FitDefault(ctx context.Context, fold func(drop func(docID, phrasing string) bool) Searcher, docs []chat.Document) (Calibrator, error) {
	var all []Sample
	for _, bare := range []bool{false, true} {
		fit, check, _, _, err := knowledgeSamples(ctx, fold, docs, bare, nil)
		if err != nil {
			return Calibrator{}, err
		}
		for _, l := range sortedLangs(fit) {
			all = append(append(all, fit[l]...), check[l]...)
		}
	}
	c := Fit(all)
	c.Curve = Curve(c, all)
	return c, nil
}

func sortedLangs(m map[string][]Sample) []string {
	out := make([]string, 0, len(m))
	for l := range m {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// knowledgeSamples asks every similar question of the knowledge without its fold's questions (bare:
// without any) and without its article, split by language into a fitting and a checking half.
func knowledgeSamples(ctx context.Context, fold func(drop func(docID, phrasing string) bool) Searcher, docs []chat.Document, bare bool,
	progress func(done, total int)) (fit, check map[string][]Sample, count, found map[string]int, err error) {
	type probe struct {
		doc  string
		lang string
		text string
		fold int
	}
	var probes []probe
	for _, d := range docs {
		lang := d.Lang
		if lang == "" {
			lang = Lang(d.Title)
		}
		for i, q := range retrieval.Phrasings(d) {
			probes = append(probes, probe{d.ID, lang, q, i % fitFolds})
		}
	}
	fit, check, count, found = map[string][]Sample{}, map[string][]Sample{}, map[string]int{}, map[string]int{}
	searchers := make([]Searcher, fitFolds)
	for i, p := range probes {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, nil, err
		}
		if bare && searchers[0] == nil {
			searchers[0] = fold(func(string, string) bool { return true })
		}
		if bare {
			p.fold = 0
		}
		if searchers[p.fold] == nil {
			inFold := map[string]bool{}
			for _, o := range probes {
				if o.fold != (p.fold+1)%fitFolds {
					inFold[o.doc+"\x00"+o.text] = true
				}
			}
			searchers[p.fold] = fold(func(doc, q string) bool { return inFold[doc+"\x00"+q] })
		}
		s := searchers[p.fold]
		lang := Lang(p.text)
		f := retrieval.Filter{Lang: lang}
		asked, gone := measureBoth(ctx, s, retrieval.Query{Text: p.text, K: searchK*4 + 1, Filter: f}, p.doc)
		pair := []Sample{{Signals: asked.sig, Correct: asked.top == p.doc, Answerable: true, Weight: AnswerableShare}, {Signals: gone.sig, Weight: 1 - AnswerableShare}}
		count[p.lang]++
		if asked.top == p.doc {
			found[p.lang]++
		}
		if count[p.lang]%2 == 0 {
			fit[p.lang] = append(fit[p.lang], pair...)
		} else {
			check[p.lang] = append(check[p.lang], pair...)
		}
		if progress != nil {
			progress(i+1, len(probes))
		}
	}
	if !bare {
		offTopicSamples(ctx, searchers, count, fit, check)
	}
	return fit, check, count, found, nil
}

// offTopicSamples asks each language's off-topic questions of the knowledge, as never right,
// weighted so that they make OffTopicShare of the language's samples, split like the rest.
func offTopicSamples(ctx context.Context, searchers []Searcher, count map[string]int, fit, check map[string][]Sample) {
	for _, lang := range sortedLangs(fit) {
		qs := OffTopic(lang)
		s := searchers[0]
		if len(qs) == 0 || s == nil {
			continue
		}
		w := OffTopicShare / (1 - OffTopicShare) * float64(count[lang]) / float64(len(qs))
		for i, q := range qs {
			rs := s.Search(ctx, retrieval.Query{Text: q, K: searchK*4 + 1, Filter: retrieval.Filter{Lang: lang}})
			sig := Measure(retrieval.TopDocuments(rs, searchK), s.QueryWeight(q))
			sig.SetUnseen(s.Unseen(q, ""))
			x := Sample{Signals: sig, Weight: w}
			if i%2 == 0 {
				fit[lang] = append(fit[lang], x)
			} else {
				check[lang] = append(check[lang], x)
			}
		}
	}
}

// fitLanguages fits a calibrator per language with enough questions, and one pooled.
func fitLanguages(fit, check map[string][]Sample, count, found map[string]int, target float64) *KnowledgeFit {
	out := &KnowledgeFit{Target: target, Langs: map[string]*LangFit{}}
	var all []Sample
	langs := make([]string, 0, len(count))
	for l := range count {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		all = append(all, fit[l]...)
		all = append(all, check[l]...)
	}
	if len(all) > 0 {
		c := Fit(all)
		c.Curve = Curve(c, all)
		out.Pooled = &c
	}
	for _, l := range langs {
		if count[l] < minFitQuestions {
			continue
		}
		held := Fit(fit[l])
		lf := &LangFit{Calibrator: Fit(append(append([]Sample{}, fit[l]...), check[l]...)), Questions: count[l], HeldOut: len(check[l]),
			Found: math.Round(float64(found[l])/float64(count[l])*1000) / 1000,
			ECE:   ECE(held, check[l])}
		lf.Calibrator.Curve = Curve(held, check[l])
		lf.Threshold = lf.Calibrator.Threshold(target)
		lf.Coverage, lf.Precision = AnsweredAt(held, check[l], lf.Threshold)
		out.Langs[l] = lf
	}
	return out
}

type measured struct {
	top string
	sig Signals
}

// measureBoth searches once as a turn does (the customer's language, best chunk per document)
// and reads the signals as found, and as they would be without the document doc (its article
// left out).
func measureBoth(ctx context.Context, s Searcher, q retrieval.Query, doc string) (asked, gone measured) {
	rs := s.Search(ctx, q)
	qw := s.QueryWeight(q.Text)
	read := func(rs []retrieval.Result) measured {
		hits := retrieval.TopDocuments(rs, searchK)
		m := measured{sig: Measure(hits, qw)}
		if len(hits) > 0 {
			m.top = hits[0].Doc.ID
		}
		return m
	}
	var without []retrieval.Result
	for _, r := range rs {
		if r.Doc.ID != doc {
			without = append(without, r)
		}
	}
	asked, gone = read(rs), read(without)
	asked.sig.SetUnseen(s.Unseen(q.Text, ""))
	gone.sig.SetUnseen(s.Unseen(q.Text, doc))
	return asked, gone
}

// ECE is the expected calibration error of c on samples over 10 equal-width bins.
func ECE(c Calibrator, xs []Sample) float64 {
	if len(xs) == 0 {
		return 0
	}
	var conf, acc [10]float64
	n := 0.0
	for _, s := range xs {
		p, w := c.P(s.Signals), s.weight()
		b := min(9, int(p*10))
		conf[b] += p * w
		if s.Correct {
			acc[b] += w
		}
		n += w
	}
	e := 0.0
	for b := range conf {
		e += math.Abs(acc[b]-conf[b]) / n
	}
	return math.Round(e*10000) / 10000
}

// AnsweredAt returns the share of the answerable samples answered right at P ≥ t, and the
// precision of all answers at P ≥ t.
func AnsweredAt(c Calibrator, xs []Sample, t float64) (coverage, precision float64) {
	p := pointAt(c, xs, t)
	return p.Coverage, p.Precision
}

// pointAt measures c on samples at threshold t.
func pointAt(c Calibrator, xs []Sample, t float64) Point {
	var answered, right, answerable float64
	p := Point{T: t}
	for _, s := range xs {
		w := s.weight()
		if s.Answerable {
			answerable += w
		}
		if c.P(s.Signals) >= t {
			answered += w
			p.Answered++
			if s.Correct {
				right += w
			}
		}
	}
	if answerable == 0 || answered == 0 {
		return Point{T: t}
	}
	p.Coverage, p.Precision = math.Round(right/answerable*10000)/10000, math.Round(right/answered*10000)/10000
	return p
}

// curveStep is the spacing of a calibration curve's thresholds.
const curveStep = 0.02

// Curve measures c on samples at every threshold from curveStep to 1 − curveStep, stopping where
// nothing is answered any more.
func Curve(c Calibrator, xs []Sample) []Point {
	var out []Point
	for i := 1; float64(i)*curveStep < 1; i++ {
		p := pointAt(c, xs, math.Round(float64(i)*curveStep*100)/100)
		if p.Precision == 0 {
			break
		}
		out = append(out, p)
	}
	return out
}
