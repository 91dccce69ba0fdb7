package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// Signature is hex(sha1(concat(sort(parts)))): the URL check uses token, timestamp and nonce; safe
// mode's msg_signature adds the Encrypt field.
func Signature(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

// Cipher is safe mode's AES-256-CBC with the account's EncodingAESKey.
type Cipher struct {
	key   []byte
	appID string
}

// NewCipher decodes the 43-character EncodingAESKey.
func NewCipher(encodingAESKey, appID string) (*Cipher, error) {
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("wechat: EncodingAESKey must be 43 characters of base64 (32 bytes)")
	}
	return &Cipher{key: key, appID: appID}, nil
}

// Decrypt opens an Encrypt field: random16 ‖ uint32 BE length ‖ message ‖ appid, PKCS#7 to 32 bytes.
func (c *Cipher) Decrypt(b64 string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("wechat: Encrypt is not base64 AES blocks")
	}
	block, _ := aes.NewCipher(c.key)
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, c.key[:16]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("wechat: bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errors.New("wechat: decrypted message too short")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if n < 0 || 20+n > len(plain) {
		return nil, errors.New("wechat: bad message length")
	}
	if !bytes.Equal(plain[20+n:], []byte(c.appID)) { // the app id found is not named: it is decrypted data
		return nil, errors.New("wechat: message is not for this app id")
	}
	return plain[20 : 20+n], nil
}

// Encrypt seals a message the way Decrypt opens it (replies in safe mode, and tests).
func (c *Cipher) Encrypt(msg []byte) string {
	var b bytes.Buffer
	random := make([]byte, 16)
	rand.Read(random)
	b.Write(random)
	binary.Write(&b, binary.BigEndian, uint32(len(msg)))
	b.Write(msg)
	b.WriteString(c.appID)
	pad := 32 - b.Len()%32
	b.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, _ := aes.NewCipher(c.key)
	out := make([]byte, b.Len())
	cipher.NewCBCEncrypter(block, c.key[:16]).CryptBlocks(out, b.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}
