package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tandem/chat"
	"tandem/sqlite"
)

// TestWidgetQueueBackAndRating: in the widget a waiting customer sees their place in the queue,
// goes back to the bot, queues again, and after the agent closes the conversation rates it.
func TestWidgetQueueBackAndRating(t *testing.T) {
	dir := t.TempDir()
	in := start(t, demoEnv(t, dir), "demo")
	agent := deskAgent(t, in.base) // online: the wait estimate counts them
	ctx := browser(t)
	q := func(sel string) string { return jsRoot + `.querySelector('` + sel + `')` }
	within(t, ctx, 20*time.Second,
		chromedp.Navigate(in.base+"/demo/"),
		chromedp.Poll[chromedp.Void](`window.TandemWidget && `+jsRoot+` && `+q(".tw-launcher")),
		chromedp.Evaluate[chromedp.Void](`window.TandemWidget.open()`),
		chromedp.Poll[chromedp.Void](jsWidgetLive))
	convID := eval[string](t, ctx, jsConvID)

	// A thumbs down on a bot answer is thanked and becomes a review candidate.
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "How do I file a claim?"))
	within(t, ctx, 15*time.Second,
		chromedp.Poll[chromedp.Void](jsRoot+`.querySelector('.tw-msg[data-author="bot"] .tw-thumb[data-helpful="false"]')`),
		chromedp.Evaluate[chromedp.Void](jsRoot+`.querySelector('.tw-msg[data-author="bot"] .tw-thumb[data-helpful="false"]').click()`),
		chromedp.Poll[chromedp.Void](jsRoot+`.querySelector('.tw-msg[data-author="bot"] .tw-feedback').textContent.includes('Thanks')`))

	// Waiting: the place in the queue and the expected wait appear, with a way back to the bot.
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "I want to talk to a human"))
	within(t, ctx, 10*time.Second,
		chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting' && !`+q("#tandem-back")+`.hidden && `+q(".tandem-queue")+`.textContent.includes('number 1')`))
	if line := eval[string](t, ctx, q(".tandem-queue")+`.textContent`); strings.Contains(line, "min") {
		t.Errorf("queue line %q promises a wait though none has been measured yet", line)
	}
	within(t, ctx, 10*time.Second, chromedp.Evaluate[chromedp.Void](q("#tandem-back")+`.click()`),
		chromedp.Poll[chromedp.Void](jsOwner+` === 'bot' && `+q("#tandem-back")+`.hidden`))
	var queue struct{ Conversations []struct{ ID string } }
	agent.do(t, "GET", "/api/console/conversations?view=queue", "", &queue)
	if len(queue.Conversations) != 0 {
		t.Fatalf("the queue still has %+v after the customer went back to the bot", queue.Conversations)
	}

	// Queued again, taken and closed by the agent: the widget asks for a rating.
	eval[bool](t, ctx, fmt.Sprintf(jsSend, "human please"))
	within(t, ctx, 10*time.Second, chromedp.Poll[chromedp.Void](jsOwner+` === 'waiting'`))
	for _, step := range []string{"accept", "close"} {
		if code := agent.do(t, "POST", "/api/console/conversations/"+convID+"/"+step, "", nil); code != 200 {
			t.Fatalf("%s = %d", step, code)
		}
	}
	within(t, ctx, 10*time.Second,
		chromedp.Poll[chromedp.Void](jsOwner+` === 'closed' && !`+q(".tandem-rating")+`.hidden`),
		chromedp.Evaluate[chromedp.Void](q(`.tandem-rating button[data-score="4"]`)+`.click()`),
		chromedp.Evaluate[chromedp.Void](`(() => { const c = `+q(".tw-rate-comment")+`; c.value = "quick and kind"; c.dispatchEvent(new Event("input")) })()`),
		chromedp.Poll[chromedp.Void](`!`+q(".tw-rate-send")+`.disabled`),
		chromedp.Evaluate[chromedp.Void](q(".tw-rate-send")+`.click()`),
		chromedp.Poll[chromedp.Void](`!`+q(".tandem-rating-thanks")+`.hidden`))
	if text := eval[string](t, ctx, q(".tw-messages")+`.textContent`); strings.Contains(text, "Reply with a rating") {
		t.Errorf("the widget asks for the rating twice, in text and with the stars: %q", text)
	}
	// The thumbs are icons that render without an emoji font, with labels for screen readers.
	if ok := eval[bool](t, ctx, `[...`+jsRoot+`.querySelectorAll('.tw-thumb')].every(b => b.querySelector('svg') && b.getAttribute('aria-label') && !/\p{Extended_Pictographic}/u.test(b.textContent))`); !ok {
		t.Errorf("thumbs buttons are not labelled SVG icons")
	}

	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	down, err := st.Reviews(context.Background(), chat.ReviewFilter{Reason: chat.ReviewThumbsDown})
	if err != nil || len(down) != 1 || down[0].Text != "How do I file a claim?" || !strings.Contains(down[0].BotAnswer, "400-800-1234") {
		t.Fatalf("thumbs-down candidates %+v (%v)", down, err)
	}
	ratings, err := st.Ratings(context.Background(), convID)
	if err != nil || len(ratings) != 1 || ratings[0].Score != 4 || ratings[0].Comment != "quick and kind" {
		t.Fatalf("stored ratings %+v (%v), want one 4 with the comment", ratings, err)
	}
}
