package backend

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartServesWithItsCredentials(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	if code, _ := get("/claims/CL20261104", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong token = %d, want 401", code)
	}
	if code, body := get("/claims/CL20261104", s.Token); code != 200 || body["customer_id"] != CustomerAnn {
		t.Errorf("claim = %d %v", code, body)
	}
	if code, _ := get("/claims/CL0", s.Token); code != http.StatusNotFound {
		t.Errorf("an unknown claim = %d, want 404", code)
	}
	post := func(body, signature string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/customers/"+CustomerBo+"/address", strings.NewReader(body))
		req.Header.Set("X-Signature", signature)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	body := `{"address":"2 Harbour Road"}`
	m := hmac.New(sha256.New, []byte(s.Secret))
	m.Write([]byte(body))
	if code := post(body, "sha256=00"); code != http.StatusUnauthorized || s.Address(CustomerBo) != "" {
		t.Errorf("a bad signature = %d, address %q", code, s.Address(CustomerBo))
	}
	if code := post(body, "sha256="+hex.EncodeToString(m.Sum(nil))); code != 200 || s.Address(CustomerBo) != "2 Harbour Road" {
		t.Errorf("a signed change = %d, address %q", code, s.Address(CustomerBo))
	}
	cancel()
}
