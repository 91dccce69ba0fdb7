// Package vault seals secrets kept in the database (channel tokens and keys) with AES-256-GCM,
// so a copied database file or backup does not give them away.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// prefix marks a sealed value; a value without it is a plaintext secret stored before sealing
// existed, read as it is and sealed on the next write.
const prefix = "enc:v1:"

// purpose names what the derived key is for, so it is never the key of anything else.
const purpose = "tandem secrets-at-rest"

// Key derives the secrets-at-rest key from the server's master secret (HKDF-SHA256). It is the
// one place the key comes from.
func Key(master []byte) ([]byte, error) {
	if len(master) < 32 {
		return nil, errors.New("vault: the master secret is shorter than 32 bytes")
	}
	return hkdf.Key(sha256.New, master, nil, purpose, 32)
}

// Vault seals and opens secrets with one key. It is safe for concurrent use.
type Vault struct {
	aead cipher.AEAD
}

// New returns a vault sealing with key (32 bytes, from Key).
func New(key []byte) (*Vault, error) {
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
	return prefix + base64.RawStdEncoding.EncodeToString(v.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose)))
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
	plain, err := v.aead.Open(nil, b[:n], b[n:], []byte(purpose))
	if err != nil {
		return "", errors.New("vault: a sealed secret does not open with this key (was the server secret changed?)")
	}
	return string(plain), nil
}

// Sealed reports whether s is a sealed value.
func Sealed(s string) bool { return strings.HasPrefix(s, prefix) }
