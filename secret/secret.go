// Package secret keeps the server's master secret and derives one key per purpose from it, so a
// leaked or guessed key of one purpose (a widget token key) opens nothing else, and no key ships
// with the code.
package secret

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// MinLen is the shortest master secret accepted, in bytes.
const MinLen = 32

// keyLen is the length of a derived key: 256 bits, HS256's own strength.
const keyLen = 32

// Purposes of derived keys. Changing a label changes its key (and signs out what it signed).
const (
	// Widget signs widget visitor tokens.
	Widget = "tandem widget visitor token v2"
	// Device signs the cookie that remembers a browser where a user signed in.
	Device = "tandem sign-in device v1"
	// AtRest seals secrets stored in the database (channel tokens and keys).
	AtRest = "tandem secrets-at-rest v1"
)

// FileName is the master secret's file in the data dir when none is configured.
const FileName = "secret.key"

// legacyFileName is where earlier versions kept a generated visitor secret; it is still read.
const legacyFileName = "visitor.key"

// placeholders are fragments of values shipped in examples and templates (ours, and common ones):
// a secret containing one is known to attackers, whatever its length.
var placeholders = []string{
	"change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
	"your-secret", "your_secret", "yoursecret", "placeholder", "long-random", "long_random",
	"example-secret", "insert-secret", "put-your", "todo-secret",
}

// Check refuses a secret that is shorter than MinLen bytes or a known placeholder; name is the
// setting it came from, for the message.
func Check(name, s string) error {
	low := strings.ToLower(s)
	for _, p := range placeholders {
		if strings.Contains(low, p) {
			return fmt.Errorf("%s is a published placeholder (it contains %q), so anyone can forge tokens with it; set a long random value, e.g. `openssl rand -hex 32`", name, p)
		}
	}
	if len(s) < MinLen {
		return fmt.Errorf("%s must be at least %d bytes (it has %d); e.g. `openssl rand -hex 32`", name, MinLen, len(s))
	}
	return nil
}

// Derive returns the key for purpose: HKDF-SHA256 of the master secret with the purpose as info.
func Derive(master []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, purpose, keyLen)
	if err != nil { // only for lengths HKDF cannot produce; keyLen is fixed and small
		panic(err)
	}
	return k
}

// LoadOrCreate reads the master secret kept in dir, or generates a random one and stores it there
// (mode 0600). created reports a new one; path is the file.
func LoadOrCreate(dir string) (master []byte, path string, created bool, err error) {
	for _, name := range []string{FileName, legacyFileName} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, p, false, fmt.Errorf("read secret: %w", err)
		}
		if err := Check(p, strings.TrimSpace(string(b))); err != nil {
			return nil, p, false, err
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return nil, p, false, fmt.Errorf("secret file mode: %w", err)
		}
		return []byte(strings.TrimSpace(string(b))), p, false, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil { // the data dir holds the database and keys
		return nil, "", false, fmt.Errorf("data dir: %w", err)
	}
	s := Hex(keyLen)
	p := filepath.Join(dir, FileName)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, p, false, fmt.Errorf("write secret: %w", err)
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return nil, p, false, fmt.Errorf("write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, p, false, fmt.Errorf("write secret: %w", err)
	}
	return []byte(s), p, true, nil
}

// Master returns the configured master secret (TANDEM_SECRET, checked by config) or the one kept
// in dataDir, generated there the first time. shared says replicas share a database: each
// replica's own generated secret then signs what the others cannot check, which is warned about.
func Master(configured, dataDir string, shared bool, log *slog.Logger) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	b, path, created, err := LoadOrCreate(dataDir)
	if err != nil {
		return nil, fmt.Errorf("TANDEM_SECRET is not set and the data dir's secret is unusable: %w", err)
	}
	if created {
		log.Info("TANDEM_SECRET is not set; generated a random secret and stored it in the data dir", "path", path)
	}
	if shared {
		log.Warn("TANDEM_SECRET is not set; widget tokens are signed with a key from this replica's data dir, so set it when running more than one replica", "path", path)
	}
	return b, nil
}

// Hex returns n random bytes, hex-encoded: generated secrets and tokens.
func Hex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// URLSafe returns n random bytes, base64url-encoded without padding: generated passwords and API
// keys.
func URLSafe(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
