package bot

import (
	"embed"
	"strings"
)

// offTopic holds, per language, everyday questions no customer-service knowledge base answers
// (weather, sport, recipes, other companies' apps, small talk): the answer calibrator is fitted
// with them as questions the bot must not answer, so that words it has never seen count against
// an answer as they do in real traffic.
//
//go:embed offtopic/*.txt
var offTopic embed.FS

// OffTopicShare is the share of customers' messages taken to be about nothing a help centre
// covers: the off-topic questions together weigh this much of the fit.
const OffTopicShare = 0.3

// OffTopic returns the off-topic questions of a language (none for a language without a list).
func OffTopic(lang string) []string {
	b, err := offTopic.ReadFile("offtopic/" + lang + ".txt")
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
