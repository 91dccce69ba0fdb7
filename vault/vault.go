// Package vault seals secrets kept in the database (channel tokens and keys) with AES-256-GCM,
// so a copied database file or backup does not give them away.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// prefix marks a sealed value; a value without it is a plaintext secret stored before sealing
// existed, read as it is and sealed on the next write.
const prefix = "enc:v1:"

// aad binds a sealed value to this use: it opens only as a stored secret.
const aad = "tandem secrets-at-rest"

// Vault seals and opens secrets with one key. It is safe for concurrent use.
type Vault struct {
	aead cipher.AEAD
}

// New returns a vault sealing with key: 32 bytes, derived for this purpose alone
// (secret.Derive(master, secret.AtRest)).
func New(key []byte) (*Vault, error) {
	if len(key) != 32 {
		return nil, errors.New("vault: want a 32-byte key")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return &Vault{aead: aead}, nil
}

// Seal returns plain sealed, or "" for "": each call uses a fresh random nonce.
func (v *Vault) Seal(plain string) string {
	if plain == "" || Sealed(plain) {
		return plain
	}
	nonce := make([]byte, v.aead.NonceSize())
	rand.Read(nonce)
	return prefix + base64.RawStdEncoding.EncodeToString(v.aead.Seal(nonce, nonce, []byte(plain), []byte(aad)))
}

// Open returns the secret in s: s itself when it was never sealed (stored before sealing).
func (v *Vault) Open(s string) (string, error) {
	if !Sealed(s) {
		return s, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(s, prefix))
	n := v.aead.NonceSize()
	if err != nil || len(b) < n {
		return "", errors.New("vault: a sealed secret is damaged")
	}
	plain, err := v.aead.Open(nil, b[:n], b[n:], []byte(aad))
	if err != nil {
		return "", errors.New("vault: a sealed secret does not open with this key (was the server secret changed?)")
	}
	return string(plain), nil
}

// Sealed reports whether s is a sealed value.
func Sealed(s string) bool { return strings.HasPrefix(s, prefix) }
