package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"tandem/chat"
	"tandem/conversation"
	"tandem/httpapi"
	"tandem/progress"
	"tandem/secret"
)

const usersUsage = `Usage: tandem users <command>

Commands:
  add NAME --role agent|trainer|admin   create or update a console account (updating one ends its
                                        open sessions); the password is read
                                        from standard input (one line), or generated and printed
  list                                  list the accounts, their roles and whether they are disabled
  disable NAME                          stop an account from signing in and end its open sessions
`

// cmdUsers dispatches `tandem users <command>`.
func (d Deps) cmdUsers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var role string
	return d.runGroup(ctx, "users", usersUsage, map[string]sub{
		"add": {flags: func(fs *flag.FlagSet) { fs.StringVar(&role, "role", "agent", "agent, trainer or admin") },
			one: "give one user name: tandem users add NAME --role agent",
			run: func(ctx context.Context, e env, rest []string) error {
				return addUser(ctx, e.st, rest[0], role, os.Stdin, stdout)
			}},
		"list": {run: func(ctx context.Context, e env, _ []string) error { return listUsers(ctx, e.st, stdout) }},
		"disable": {one: "give one user name: tandem users disable NAME", run: func(ctx context.Context, e env, rest []string) error {
			if err := e.st.DisableAccount(ctx, rest[0], time.Now().UTC()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s can no longer sign in; their open sessions have ended\n", rest[0])
			return nil
		}},
	}, args, getenv, stderr)
}

func addUser(ctx context.Context, st Store, name, role string, in io.Reader, stdout io.Writer) error {
	if role != "agent" && role != "trainer" && role != "admin" {
		return errors.New("--role is agent, trainer or admin")
	}
	password, generated := readPassword(in)
	if generated {
		password = secret.URLSafe(12)
	}
	a, err := httpapi.NewAccount(name, role, password, time.Now().UTC())
	if err != nil {
		return err
	}
	if err := st.PutAccount(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s) can sign in", name, role)
	if generated {
		fmt.Fprintf(stdout, " with the password %s (shown once)", password)
	}
	fmt.Fprintln(stdout)
	return nil
}

// readPassword reads one line from in when it is not a terminal; otherwise a password is generated.
func readPassword(in io.Reader) (string, bool) {
	if f, ok := in.(*os.File); ok && progress.IsTerminal(f) {
		return "", true
	}
	line, err := bufio.NewReader(io.LimitReader(in, 1024)).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" && (err == nil || errors.Is(err, io.EOF)) {
		return "", true
	}
	return line, false
}

func listUsers(ctx context.Context, st Store, stdout io.Writer) error {
	users, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	tw := newTable(stdout, "USER\tROLE\tCREATED\tDISABLED")
	for _, u := range users {
		disabled := "-"
		if u.DisabledAt != nil {
			disabled = u.DisabledAt.Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, u.CreatedAt.Format(time.DateTime), disabled)
	}
	return tw.Flush()
}

const keysUsage = `Usage: tandem keys <command>

Commands:
  create NAME [--scopes conversations,knowledge]
                create an API key; the key is printed once (only its hash is stored). Scopes:
                conversations (the app API: conversations, messages, sockets; the default) and
                knowledge (the knowledge base, intents and settings APIs)
  list          list the keys, their scopes and whether they are revoked
  revoke ID     revoke a key (running servers stop accepting it within 30 s)
`

// cmdKeys dispatches `tandem keys <command>`.
func (d Deps) cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	scopes := chat.ScopeConversations
	return d.runGroup(ctx, "keys", keysUsage, map[string]sub{
		"create": {flags: func(fs *flag.FlagSet) {
			fs.StringVar(&scopes, "scopes", scopes, "comma-separated: conversations, knowledge")
		},
			one: "give the key a name: tandem keys create NAME\n\n" + keysUsage,
			run: func(ctx context.Context, e env, rest []string) error {
				return createKey(ctx, e.st, rest[0], scopes, stdout)
			}},
		"list": {run: func(ctx context.Context, e env, _ []string) error { return listKeys(ctx, e.st, stdout) }},
		"revoke": {one: "give the key's id: tandem keys revoke ID\n\n" + keysUsage, run: func(ctx context.Context, e env, rest []string) error {
			if err := e.st.RevokeAPIKey(ctx, rest[0], time.Now().UTC()); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "key %s revoked; servers stop accepting it within 30 s\n", rest[0])
			return nil
		}},
	}, args, getenv, stderr)
}

func createKey(ctx context.Context, st Store, name, scopes string, stdout io.Writer) error {
	list, err := chat.ParseScopes(scopes)
	if err != nil {
		return fmt.Errorf("--scopes: %w", err)
	}
	key := "tk_" + secret.URLSafe(24)
	id := conversation.NewID()[:12]
	if err := st.CreateAPIKey(ctx, chat.APIKey{ID: id, Name: name, Hash: httpapi.HashKey(key), Scopes: list, CreatedAt: time.Now().UTC()}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key %s (%s, scopes %s): %s\nkeep it now: only its hash is stored\n", id, name, strings.Join(list, ","), key)
	return nil
}

func listKeys(ctx context.Context, st Store, stdout io.Writer) error {
	keys, err := st.APIKeys(ctx)
	if err != nil {
		return err
	}
	tw := newTable(stdout, "ID\tNAME\tSCOPES\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := ""
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, strings.Join(k.Scopes, ","), k.CreatedAt.Format(time.DateTime), revoked)
	}
	return tw.Flush()
}
