package main

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestHugeLimiterKeys: the review's 150 requests with 1 MB sign-in user names and channel names
// added 215 MiB that stayed for 10 minutes. Limiter keys are now fixed-size digests and unknown
// channels are refused before any limiter state exists, so the heap stays put.
func TestHugeLimiterKeys(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	huge := func(i int) string { return fmt.Sprintf("%d-", i) + strings.Repeat("a", 1<<20-64) }
	before := heapInUse()
	for i := range 75 {
		res := rawPost(t, in.base+"/api/console/login", `{"username":"`+huge(i)+`","password":"x"}`, nil)
		if res.status != 401 && res.status != 429 {
			t.Fatalf("sign-in with a 1 MB user name = %d", res.status)
		}
		req, _ := http.NewRequest("POST", in.base+"/webhooks/"+huge(i)[:1<<19], strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("a webhook for a 512 KB channel name = %d, want 404", resp.StatusCode)
		}
	}
	after := heapInUse()
	grown := int64(after) - int64(before)
	t.Logf("heap in use: %d MiB before, %d MiB after 150 requests with huge keys (%+d KiB)", before>>20, after>>20, grown>>10)
	if grown > 16<<20 {
		t.Fatalf("the heap grew by %d MiB after 150 requests with huge keys; limiter keys must be bounded", grown>>20)
	}
}

// TestUnsignedJunkDoesNotStarveDeliveries: a flood of unsigned requests to the Telegram webhook
// is refused (401, then 429 per address) without touching the channel's rate, so every genuine
// delivery still gets 200.
func TestUnsignedJunkDoesNotStarveDeliveries(t *testing.T) {
	h := harness(t, "telegram")
	_, extra := h.setup(t)
	env := demoEnv(t, t.TempDir())
	for k, v := range extra {
		env[k] = v
	}
	env["TANDEM_CHANNEL_RATE"] = "1" // bursts of 3
	in := start(t, env, "demo")
	junk := map[int]int{}
	for i := range 100 {
		junk[postWebhook(t, in.base+"/webhooks/telegram", `{"update_id":1,"message":{"text":"junk"}}`, map[string]string{"X-Telegram-Bot-Api-Secret-Token": fmt.Sprint("guess-", i)})]++
	}
	if junk[200] != 0 || junk[429] == 0 {
		t.Fatalf("unsigned junk got %v, want 401s then 429s", junk)
	}
	for i := range 3 {
		if code := h.deliver(t, in.base, false, 500+i, "How do I file a claim?"); code != 200 {
			t.Fatalf("genuine delivery %d after the junk = %d, want 200", i, code)
		}
	}
}
