package vault_test

import (
	"strings"
	"testing"

	"tandem/secret"
	"tandem/vault"
)

func newVault(t *testing.T, master string) *vault.Vault {
	t.Helper()
	v, err := vault.New(secret.Derive([]byte(master), secret.AtRest))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpen(t *testing.T) {
	v := newVault(t, strings.Repeat("m", 32))
	sealed := v.Seal("123456:ABC-token")
	if !vault.Sealed(sealed) || strings.Contains(sealed, "ABC-token") || sealed == v.Seal("123456:ABC-token") {
		t.Fatalf("sealed %q: want a marked value, no plaintext, a fresh nonce each time", sealed)
	}
	if got, err := v.Open(sealed); err != nil || got != "123456:ABC-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if got, err := v.Open("legacy-plaintext"); err != nil || got != "legacy-plaintext" {
		t.Fatalf("a plaintext secret from before sealing = %q, %v", got, err)
	}
	if v.Seal("") != "" || v.Seal(sealed) != sealed {
		t.Error("Seal must leave empty and already sealed values alone")
	}
	other := newVault(t, strings.Repeat("o", 32))
	if _, err := other.Open(sealed); err == nil {
		t.Error("a vault with another master secret opened the secret")
	}
	if _, err := v.Open(sealed[:len(sealed)-2] + "AA"); err == nil {
		t.Error("a tampered secret opened")
	}
	if _, err := vault.New([]byte("short")); err == nil {
		t.Error("New accepted a short key")
	}
}
