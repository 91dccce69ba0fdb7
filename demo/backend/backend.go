// Package backend is the demo's fake of Harbor Mutual's own systems, which the demo's bot actions
// (demo.Actions) call.
package backend

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// Backend is a small fake of Harbor Mutual's own systems for the demo's bot actions: claim
// status, next premium due and policy documents (bearer token), and one write, the contact
// address (HMAC-signed body). Like many real back-ends it answers for whatever id it is asked
// about: Tandem must check the answer belongs to the customer.
type Backend struct {
	token  string // bearer token of the reads
	secret string // HMAC-SHA256 key of the writes

	mux       *http.ServeMux
	mu        sync.Mutex
	addresses map[string]string
}

// New returns the fake with its credentials.
func New(token, secret string) *Backend {
	b := &Backend{token: token, secret: secret, addresses: map[string]string{}, mux: http.NewServeMux()}
	b.mux.HandleFunc("GET /claims/{claim}", b.read(b.claim))
	b.mux.HandleFunc("GET /customers/{customer}/premium", b.read(b.premium))
	b.mux.HandleFunc("GET /customers/{customer}/policies/{policy}/document", b.read(b.document))
	b.mux.HandleFunc("POST /customers/{customer}/address", b.address)
	return b
}

// The demo's customers, as the identity tokens of its site name them.
const (
	CustomerAnn = "demo-ann"
	CustomerBo  = "demo-bo"
)

type claim struct {
	Number   string            `json:"claim_number"`
	Customer string            `json:"customer_id"`
	Status   map[string]string `json:"status"`
	Updated  string            `json:"updated"`
}

var claims = map[string]claim{
	"CL20261104": {"CL20261104", CustomerAnn, map[string]string{
		"en": "approved; the payment of HK$8,200 is scheduled for 9 December 2026",
		"zh": "已批准，8,200 港元赔款预计于 2026 年 12 月 9 日支付"}, "2026-12-02"},
	"CL20260917": {"CL20260917", CustomerAnn, map[string]string{
		"en": "waiting for the repair invoice from you", "zh": "等待您提交维修发票"}, "2026-11-20"},
	"CL20269999": {"CL20269999", CustomerBo, map[string]string{
		"en": "under assessment", "zh": "定损中"}, "2026-11-28"},
}

type premium struct {
	Customer string `json:"customer_id"`
	Policy   string `json:"policy"`
	Due      string `json:"due"`
	Amount   string `json:"amount"`
}

var premiums = map[string]premium{
	CustomerAnn: {CustomerAnn, "HM-CAR-1001", "2026-12-15", "HK$1,280.00"},
	CustomerBo:  {CustomerBo, "HM-HOME-2002", "2027-01-03", "HK$2,150.00"},
}

var policies = map[string]string{"HM-CAR-1001": CustomerAnn, "HM-TRV-1002": CustomerAnn, "HM-HOME-2002": CustomerBo}

// ServeHTTP implements http.Handler.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.mux.ServeHTTP(w, r) }

// read checks the bearer token of a read.
func (b *Backend) read(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+b.token)) != 1 {
			reply(w, http.StatusUnauthorized, map[string]string{"error": "bad token"})
			return
		}
		h(w, r)
	}
}

func (b *Backend) claim(w http.ResponseWriter, r *http.Request) {
	c, ok := claims[r.PathValue("claim")]
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such claim"})
		return
	}
	reply(w, http.StatusOK, c)
}

func (b *Backend) premium(w http.ResponseWriter, r *http.Request) {
	p, ok := premiums[r.PathValue("customer")]
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such customer"})
		return
	}
	reply(w, http.StatusOK, p)
}

func (b *Backend) document(w http.ResponseWriter, r *http.Request) {
	policy := r.PathValue("policy")
	owner, ok := policies[policy]
	if !ok {
		reply(w, http.StatusNotFound, map[string]string{"error": "no such policy"})
		return
	}
	reply(w, http.StatusOK, map[string]string{"customer_id": owner, "policy": policy,
		"url": "https://harbor-mutual.example/documents/" + policy + ".pdf"})
}

// address changes a customer's contact address; the body must carry a valid HMAC signature.
func (b *Backend) address(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"error": "unreadable body"})
		return
	}
	m := hmac.New(sha256.New, []byte(b.secret))
	m.Write(body)
	if !hmac.Equal([]byte(r.Header.Get("X-Signature")), []byte("sha256="+hex.EncodeToString(m.Sum(nil)))) {
		reply(w, http.StatusUnauthorized, map[string]string{"error": "bad signature"})
		return
	}
	var req struct {
		Address string `json:"address"`
	}
	if json.Unmarshal(body, &req) != nil || req.Address == "" {
		reply(w, http.StatusBadRequest, map[string]string{"error": "address is required"})
		return
	}
	customer := r.PathValue("customer")
	b.mu.Lock()
	b.addresses[customer] = req.Address
	b.mu.Unlock()
	reply(w, http.StatusOK, map[string]string{"customer_id": customer, "address": req.Address})
}

// Address returns a customer's contact address as last changed ("" if never).
func (b *Backend) Address(customer string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addresses[customer]
}

// maxBody bounds a request body the fake reads.
const maxBody = 64 << 10

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
