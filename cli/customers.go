package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"tandem/chat"
	"tandem/httpapi"
)

const customersUsage = `Usage: tandem customers <command> [flags] (ID | --channel C --external X)

Commands:
  export   print everything stored about a customer as JSON (a data-access request): the
           customer, their conversations with messages, ownership changes, deliveries, drafts,
           notes, ratings, feedback and review items, and eval cases cut from them
  erase    delete all of that in one transaction (an erasure request); without --yes it only
           shows what would be erased

Name the customer by Tandem's id, or by their channel and the id the channel knows them by:
  tandem customers export 3f9c… --out customer.json
  tandem customers erase --channel web --external id:alice --yes

Flags:
  --channel C    the customer's channel (web, api, telegram, whatsapp, wechat, chatwoot, webhook)
  --external X   the channel's id for them (identified widget users: id:<user id>)
  --out FILE     export: write to FILE (mode 0600) instead of standard output
  --yes          erase: really erase; this cannot be undone

Both are recorded in the audit log with the actor "cli".
`

// Actor is the audit log's actor for changes made with the command line.
const Actor = "cli"

// customerFlags are the flags of tandem customers.
type customerFlags struct {
	channel, external, out string
	yes                    bool
}

// cmdCustomers dispatches `tandem customers export|erase`.
func (d Deps) cmdCustomers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := subcommand(args, "customers", customersUsage, stderr); err != nil {
		return err
	}
	if args[0] != "export" && args[0] != "erase" {
		return fmt.Errorf("unknown customers command %q\n\n%s", args[0], customersUsage)
	}
	var f customerFlags
	_, _, st, rest, err := d.Setup(ctx, "customers "+args[0], args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&f.channel, "channel", "", "the customer's channel, with --external")
		fs.StringVar(&f.external, "external", "", "the channel's id for the customer, with --channel")
		if args[0] == "export" {
			fs.StringVar(&f.out, "out", "", "write the export to this file instead of standard output")
		} else {
			fs.BoolVar(&f.yes, "yes", false, "really erase (without it, show what would be erased)")
		}
	})
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := customerID(ctx, st, rest, f)
	if err != nil {
		return err
	}
	x, err := st.CustomerData(ctx, id)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return fmt.Errorf("no customer %s", id)
	}
	if err != nil {
		return err
	}
	if args[0] == "export" {
		return exportCustomer(ctx, st, x, f.out, stdout, stderr)
	}
	return eraseCustomer(ctx, st, x, f.yes, stdout)
}

// customerID is the customer named by an ID argument or by --channel and --external.
func customerID(ctx context.Context, st httpapi.CustomerAdmin, rest []string, f customerFlags) (string, error) {
	byExternal := f.channel != "" || f.external != ""
	switch {
	case len(rest) == 1 && !byExternal:
		return rest[0], nil
	case len(rest) > 0 || f.channel == "" || f.external == "":
		return "", fmt.Errorf("name one customer: an ID, or --channel and --external\n\n%s", customersUsage)
	}
	c, err := st.CustomerByExternal(ctx, f.channel, f.external)
	if chat.ErrorCode(err) == chat.ENOTFOUND {
		return "", fmt.Errorf("no customer with external id %q on channel %q", f.external, f.channel)
	}
	return c.ID, err
}

// exportCustomer writes the export as indented JSON to out (stdout when "") and records it.
func exportCustomer(ctx context.Context, st Store, x chat.CustomerExport, out string, stdout, stderr io.Writer) error {
	w := stdout
	if out != "" {
		// Personal data: readable by the owner only.
		file, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return err
	}
	if err := auditCLI(ctx, st, "customers export", x.Customer.ID); err != nil {
		return err
	}
	if out != "" {
		fmt.Fprintf(stderr, "exported customer %s (%d conversations) to %s\n", x.Customer.ID, len(x.Conversations), out)
	}
	return nil
}

// eraseCustomer erases the customer when yes is set and records it; without yes it prints what
// would be erased and refuses.
func eraseCustomer(ctx context.Context, st Store, x chat.CustomerExport, yes bool, stdout io.Writer) error {
	c := x.Customer
	if !yes {
		fmt.Fprintf(stdout, "would erase customer %s (%s %s, %q), rows per table:\n", c.ID, c.Channel, c.ExternalID, c.Name)
		printRows(stdout, x.Rows())
		fmt.Fprintln(stdout, "and the eval results of its eval cases")
		return errors.New("nothing erased: add --yes to erase; this cannot be undone")
	}
	r, err := st.EraseCustomer(ctx, c.ID, time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased customer %s (%s %s), rows per table:\n", c.ID, c.Channel, c.ExternalID)
	printRows(stdout, r.Rows)
	if err := auditCLI(ctx, st, "customers erase", c.ID); err != nil {
		return fmt.Errorf("the customer was erased, but the audit log was not written: %w", err)
	}
	return nil
}

// printRows prints row counts per table, by table name.
func printRows(w io.Writer, rows map[string]int64) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, name := range slices.Sorted(maps.Keys(rows)) {
		fmt.Fprintf(tw, "  %s\t%d\n", name, rows[name])
	}
	tw.Flush()
}

// auditCLI records a command-line action on target in the audit log.
func auditCLI(ctx context.Context, st Store, action, target string) error {
	return st.AddAudit(ctx, chat.AuditEntry{At: time.Now().UTC(), Actor: Actor, Role: "admin", Action: action, Target: target, Status: http.StatusOK})
}
