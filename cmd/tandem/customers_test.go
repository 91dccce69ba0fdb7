package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tandem/chat"
	"tandem/cli"
	"tandem/sqlite"
)

// seedCustomers stores two web customers, id:alice and id:bob, with a conversation each.
func seedCustomers(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, name := range []string{"alice", "bob"} {
		c, err := st.UpsertCustomer(ctx, chat.Customer{ID: "cu-" + name, Channel: "web", ExternalID: "id:" + name, Name: name, CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		conv := chat.Conversation{ID: "conv-" + name, CustomerID: c.ID, Channel: "web", Owner: chat.OwnerBot, CreatedAt: now, UpdatedAt: now}
		if err := st.CreateConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.AddInbound(ctx, chat.Message{ConversationID: conv.ID, Author: chat.AuthorCustomer, Text: name + " needs a refund", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddMessage(ctx, chat.Message{ConversationID: conv.ID, Author: chat.AuthorBot, Text: "Refunds take 5 days", CreatedAt: now}, false); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCustomersCommands: an admin exports a customer named by channel id, sees what erasing them
// would remove, erases them with --yes, and both leave the audit log entries; the other
// customer stays.
func TestCustomersCommands(t *testing.T) {
	dir := t.TempDir()
	seedCustomers(t, dir)
	env := func(k string) string { return map[string]string{"TANDEM_DATA_DIR": dir, "TANDEM_LOG_LEVEL": "warn"}[k] }
	runC := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"customers"}, args...), env, &out, &errb)
		return code, out.String(), errb.String()
	}
	file := filepath.Join(t.TempDir(), "alice.json")
	for _, tt := range []struct {
		args     []string
		code     int
		contains string
	}{
		{nil, 1, "Usage: tandem customers"},
		{[]string{"--help"}, 0, "--external X"},
		{[]string{"forget", "cu-alice"}, 1, `unknown customers command "forget"`},
		{[]string{"export"}, 1, "name one customer"},
		{[]string{"export", "cu-alice", "--channel", "web"}, 1, "name one customer"},
		{[]string{"export", "nobody"}, 1, "no customer nobody"},
		{[]string{"erase", "--channel", "web", "--external", "id:nobody", "--yes"}, 1, `no customer with external id "id:nobody" on channel "web"`},
		{[]string{"export", "--channel", "web", "--external", "id:alice", "--out", file}, 0, "exported customer cu-alice (1 conversations)"},
		{[]string{"erase", "cu-alice"}, 1, "add --yes"},
	} {
		code, out, errs := runC(tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.contains) {
			t.Errorf("customers %s: exit %d, want %d; output %q / %q, want it to contain %q", strings.Join(tt.args, " "), code, tt.code, out, errs, tt.contains)
		}
	}
	var x chat.CustomerExport
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatalf("export file: %v\n%s", err, data)
	}
	if x.Customer.ID != "cu-alice" || len(x.Conversations) != 1 || len(x.Conversations[0].Messages) != 2 ||
		x.Conversations[0].Messages[0].Text != "alice needs a refund" || strings.Contains(string(data), "bob") {
		t.Fatalf("export = %s", data)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("export file mode = %v, want 0600", fi.Mode().Perm())
	}

	// Without --yes nothing is erased; the preview counts what would be.
	if code, out, _ := runC("erase", "cu-alice"); code != 1 || !strings.Contains(out, "would erase customer cu-alice") || !regexp.MustCompile(`messages\s+2\n`).MatchString(out) {
		t.Fatalf("erase without --yes: %d %q", code, out)
	}
	if code, out, errs := runC("export", "cu-alice"); code != 0 || !strings.Contains(out, "alice needs a refund") {
		t.Fatalf("export after a refused erase: %d %q %q", code, out, errs)
	}
	if code, out, errs := runC("erase", "--channel", "web", "--external", "id:alice", "--yes"); code != 0 ||
		!strings.Contains(out, "erased customer cu-alice") || !regexp.MustCompile(`conversations\s+1\n`).MatchString(out) {
		t.Fatalf("erase: %d %q %q", code, out, errs)
	}
	if code, _, errs := runC("export", "cu-alice"); code != 1 || !strings.Contains(errs, "no customer cu-alice") {
		t.Fatalf("export after erase: %d %q", code, errs)
	}
	if code, out, errs := runC("export", "--channel", "web", "--external", "id:bob"); code != 0 || !strings.Contains(out, "bob needs a refund") {
		t.Fatalf("the other customer after erase: %d %q %q", code, out, errs)
	}

	st, err := sqlite.Open(filepath.Join(dir, "tandem.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.Audit(context.Background(), cli.Actor, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Target)
	}
	want := "customers export cu-bob|customers erase cu-alice|customers export cu-alice|customers export cu-alice"
	if strings.Join(got, "|") != want {
		t.Fatalf("audit log = %q, want %q (newest first)", got, want)
	}
}

// TestAdminErasesCustomer: through the admin API an admin finds an app customer, exports their
// conversation, and erases them; the app API then no longer finds the conversation, agents may
// do none of it, and the export and the erasure are in the audit log.
func TestAdminErasesCustomer(t *testing.T) {
	in := start(t, demoEnv(t, t.TempDir()), "demo")
	var conv apiConversation
	if code := in.call(t, "POST", "/api/v1/conversations", `{"customer":{"id":"erase-me","name":"Ann"}}`, &conv); code != 201 {
		t.Fatalf("create = %d", code)
	}
	in.call(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", `{"text":"my address is 1 Elm Street"}`, nil)
	admin := deskLogin(t, in.base, "admin", demoAdminPassword)
	var cu chat.Customer
	if code := admin.do(t, "GET", "/api/admin/customers?channel=api&external_id=erase-me", "", &cu); code != 200 || cu.ID == "" {
		t.Fatalf("lookup = %d %+v", code, cu)
	}
	if code := deskAgent(t, in.base).do(t, "GET", "/api/admin/customers/"+cu.ID+"/export", "", nil); code != 403 {
		t.Fatalf("agent export = %d, want 403", code)
	}
	var x chat.CustomerExport
	if code := admin.do(t, "GET", "/api/admin/customers/"+cu.ID+"/export", "", &x); code != 200 ||
		len(x.Conversations) != 1 || len(x.Conversations[0].Messages) < 2 || x.Conversations[0].Messages[0].Text != "my address is 1 Elm Street" {
		t.Fatalf("export = %d %+v", code, x)
	}
	var r chat.EraseReport
	if code := admin.do(t, "DELETE", "/api/admin/customers/"+cu.ID, "", &r); code != 200 || r.Rows["customers"] != 1 || r.Rows["messages"] != int64(len(x.Conversations[0].Messages)) {
		t.Fatalf("erase = %d %+v", code, r)
	}
	if code := admin.do(t, "DELETE", "/api/admin/customers/"+cu.ID, "", nil); code != 404 {
		t.Fatalf("second erase = %d, want 404", code)
	}
	if code := in.call(t, "GET", "/api/v1/conversations/"+conv.ID, "", nil); code != 404 {
		t.Fatalf("the erased conversation = %d, want 404", code)
	}
	var audit struct{ Entries []chat.AuditEntry }
	admin.do(t, "GET", "/api/admin/audit?actor=admin", "", &audit)
	var got []string
	for _, e := range audit.Entries {
		if e.Target == cu.ID {
			got = append(got, fmt.Sprint(e.Action, " ", e.Status))
		}
	}
	want := "DELETE /api/admin/customers/:id 404|DELETE /api/admin/customers/:id 200|GET /api/admin/customers/:id/export 200"
	if strings.Join(got, "|") != want {
		t.Fatalf("audit entries for the customer = %q, want %q", got, want)
	}
}
