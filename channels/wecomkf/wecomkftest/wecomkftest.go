// Package wecomkftest is a fake WeCom server for WeChat Customer Service tests, speaking the
// documented wire format: gettoken, kf/sync_msg with cursor paging, kf/send_msg with the 48-hour /
// 5-message rule, kf/send_msg_on_event with single-use 20-second codes, and kf/service_state
// get/trans with the documented transitions. It also plays the customer: it appends messages to
// the account's log and sends Tandem the encrypted kf_msg_or_event callback.
package wecomkftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tandem/channels/wechat"
)

// Test credentials.
const (
	CorpID   = "ww1234567890abcdef"
	Secret   = "kf-secret-0123456789"
	Token    = "kfCallbackToken"
	AESKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // 43 characters
	OpenKfID = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
)

// Sent is a message Tandem sent with kf/send_msg.
type Sent struct {
	ToUser, OpenKfID, Text string
}

// Trans is a kf/service_state/trans call that WeCom accepted.
type Trans struct {
	User     string
	State    int
	Servicer string
}

// Server is the fake.
type Server struct {
	*httptest.Server
	Cipher *wechat.Cipher
	Now    func() time.Time
	// PageSize is how many messages a sync_msg page holds at most (WeCom: up to limit, 1,000).
	PageSize int

	mu        sync.Mutex
	tokens    int // access tokens issued
	token     string
	log       []json.RawMessage
	ids       map[string]bool
	sent      []Sent
	onEvent   []Sent // ToUser holds the code
	codes     map[string]time.Time
	state     map[string]int
	trans     []Trans
	quota     map[string]int // sends left per user since their last message
	last      map[string]time.Time
	fails     []int // scripted send_msg answers: an errcode, or 0 for an HTTP 502
	syncs     int
	callbacks []string // tokens given in callbacks
	stale     bool     // refuse every callback token, as after its 10 minutes
}

// New starts the fake.
func New() *Server {
	c, _ := wechat.NewCipher(AESKey, CorpID)
	s := &Server{Cipher: c, Now: time.Now, PageSize: 1000, ids: map[string]bool{}, codes: map[string]time.Time{},
		state: map[string]int{}, quota: map[string]int{}, last: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.gettoken)
	mux.HandleFunc("POST /cgi-bin/kf/sync_msg", s.authed(s.syncMsg))
	mux.HandleFunc("POST /cgi-bin/kf/send_msg", s.authed(s.sendMsg))
	mux.HandleFunc("POST /cgi-bin/kf/send_msg_on_event", s.authed(s.sendOnEvent))
	mux.HandleFunc("POST /cgi-bin/kf/service_state/get", s.authed(s.stateGet))
	mux.HandleFunc("POST /cgi-bin/kf/service_state/trans", s.authed(s.stateTrans))
	s.Server = httptest.NewServer(mux)
	return s
}

func reply(w http.ResponseWriter, code int, msg string, extra map[string]any) {
	out := map[string]any{"errcode": code, "errmsg": msg}
	for k, v := range extra {
		out[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(out)
}

func (s *Server) gettoken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("corpid") != CorpID || q.Get("corpsecret") != Secret {
		reply(w, 40001, "invalid credential", nil)
		return
	}
	s.mu.Lock()
	s.tokens++
	s.token = fmt.Sprintf("ACCESS_TOKEN_%d", s.tokens)
	tok := s.token
	s.mu.Unlock()
	reply(w, 0, "ok", map[string]any{"access_token": tok, "expires_in": 7200})
}

// authed checks the access token and decodes the JSON body for h.
func (s *Server) authed(h func(http.ResponseWriter, map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok := s.token != "" && r.URL.Query().Get("access_token") == s.token
		s.mu.Unlock()
		if !ok {
			reply(w, 40014, "invalid access_token", nil)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			reply(w, 47001, "data format error", nil)
			return
		}
		h(w, body)
	}
}

func str(m map[string]any, k string) string { v, _ := m[k].(string); return v }

func (s *Server) syncMsg(w http.ResponseWriter, b map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncs++
	if str(b, "open_kfid") != OpenKfID {
		reply(w, 95000, "invalid open_kfid", nil)
		return
	}
	if tok := str(b, "token"); tok != "" && (s.stale || !slices.Contains(s.callbacks, tok)) {
		reply(w, 95007, "invalid msg token", nil) // the token is optional: reading without one works
		return
	}
	from := 0
	if c := str(b, "cursor"); c != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "CUR"))
		if err != nil || !strings.HasPrefix(c, "CUR") {
			reply(w, 40058, "invalid cursor", nil)
			return
		}
		from = n
	}
	limit := s.PageSize
	if l, ok := b["limit"].(float64); ok && int(l) > 0 && int(l) < limit {
		limit = int(l)
	}
	to := min(from+limit, len(s.log))
	list := append([]json.RawMessage{}, s.log[from:to]...)
	more := 0
	if to < len(s.log) {
		more = 1
	}
	reply(w, 0, "ok", map[string]any{"next_cursor": fmt.Sprintf("CUR%d", to), "has_more": more, "msg_list": list})
}

func (s *Server) sendMsg(w http.ResponseWriter, b map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := str(b, "touser")
	if len(s.fails) > 0 {
		code := s.fails[0]
		s.fails = s.fails[1:]
		if code == 0 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		reply(w, code, "scripted failure", nil)
		return
	}
	text, _ := b["text"].(map[string]any)
	content := str(text, "content")
	switch {
	case str(b, "open_kfid") != OpenKfID:
		reply(w, 95000, "invalid open_kfid", nil)
	case str(b, "msgtype") != "text" || content == "" || len(content) > 2048:
		reply(w, 40058, "invalid text", nil)
	case s.Now().Sub(s.last[user]) > 48*time.Hour || s.quota[user] <= 0:
		reply(w, 95001, "send msg count limit", nil) // 5 per customer message, within 48 hours
	default:
		s.quota[user]--
		s.sent = append(s.sent, Sent{ToUser: user, OpenKfID: OpenKfID, Text: content})
		reply(w, 0, "ok", map[string]any{"msgid": fmt.Sprintf("out%d", len(s.sent))})
	}
}

func (s *Server) sendOnEvent(w http.ResponseWriter, b map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := str(b, "code")
	at, ok := s.codes[code]
	text, _ := b["text"].(map[string]any)
	if !ok || s.Now().Sub(at) > 20*time.Second || str(b, "msgtype") != "text" || str(text, "content") == "" {
		reply(w, 40058, "invalid code", nil)
		return
	}
	delete(s.codes, code) // 仅可使用一次
	s.onEvent = append(s.onEvent, Sent{ToUser: code, Text: str(text, "content")})
	reply(w, 0, "ok", map[string]any{"msgid": "welcome"})
}

func (s *Server) stateGet(w http.ResponseWriter, b map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reply(w, 0, "ok", map[string]any{"service_state": s.state[str(b, "external_userid")], "servicer_userid": ""})
}

// allowed are the documented transitions of 分配客服会话.
var allowed = map[int][]int{0: {1, 2, 3, 4}, 1: {2, 3, 4}, 2: {3, 4}, 3: {3, 4}}

func (s *Server) stateTrans(w http.ResponseWriter, b map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := str(b, "external_userid")
	to, _ := b["service_state"].(float64)
	from := s.state[user]
	ok := false
	for _, v := range allowed[from] {
		ok = ok || v == int(to)
	}
	if !ok || (int(to) == 3 && str(b, "servicer_userid") == "") {
		reply(w, 95016, "state change not allowed", nil)
		return
	}
	s.state[user] = int(to)
	s.trans = append(s.trans, Trans{User: user, State: int(to), Servicer: str(b, "servicer_userid")})
	reply(w, 0, "ok", nil)
}

// Append adds a raw msg_list item (a fixture) to the log, unless its msgid is there already.
func (s *Server) Append(item string) {
	var m struct {
		MsgID          string `json:"msgid"`
		ExternalUserID string `json:"external_userid"`
		Origin         int    `json:"origin"`
		Event          struct {
			EventType   string `json:"event_type"`
			WelcomeCode string `json:"welcome_code"`
		} `json:"event"`
	}
	if err := json.Unmarshal([]byte(item), &m); err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[m.MsgID] {
		return
	}
	s.ids[m.MsgID] = true
	s.log = append(s.log, json.RawMessage(item))
	if m.Origin == 3 { // a customer message opens the 48-hour window with 5 sends
		s.quota[m.ExternalUserID], s.last[m.ExternalUserID] = 5, s.Now()
		if s.state[m.ExternalUserID] == 4 {
			s.state[m.ExternalUserID] = 0
		}
	}
	if m.Event.WelcomeCode != "" {
		s.codes[m.Event.WelcomeCode] = s.Now()
	}
}

// Text appends a customer's text message.
func (s *Server) Text(user, msgid, text string) {
	b, _ := json.Marshal(map[string]any{"msgid": msgid, "open_kfid": OpenKfID, "external_userid": user, "send_time": s.Now().Unix(),
		"origin": 3, "msgtype": "text", "text": map[string]string{"content": text}})
	s.Append(string(b))
}

// Notify sends Tandem's webhook the encrypted kf_msg_or_event callback, signed with token (the
// configured Token unless another is given to forge one), and returns the HTTP status.
func (s *Server) Notify(url, token string) (int, error) {
	s.mu.Lock()
	cbToken := fmt.Sprintf("ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMz%d", len(s.callbacks))
	s.callbacks = append(s.callbacks, cbToken)
	s.mu.Unlock()
	return Callback(url, token, cbToken, s.Now())
}

// Callback posts a kf_msg_or_event callback for OpenKfID carrying cbToken to url, encrypted with
// AESKey for CorpID and signed with token (Token when empty), as WeCom does.
func Callback(url, token, cbToken string, now time.Time) (int, error) {
	if token == "" {
		token = Token
	}
	c, err := wechat.NewCipher(AESKey, CorpID)
	if err != nil {
		return 0, err
	}
	plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>`+
		`<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>`,
		CorpID, now.Unix(), cbToken, OpenKfID)
	enc := c.Encrypt([]byte(plain))
	ts, nonce := strconv.FormatInt(now.Unix(), 10), "1372623149"
	sig := wechat.Signature(token, ts, nonce, enc)
	body := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[%s]]></Encrypt></xml>`, CorpID, enc)
	res, err := http.Post(fmt.Sprintf("%s?msg_signature=%s&timestamp=%s&nonce=%s", url, sig, ts, nonce), "text/xml", bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// StaleTokens makes sync_msg refuse every callback token, as WeCom does after 10 minutes.
func (s *Server) StaleTokens() {
	s.mu.Lock()
	s.stale = true
	s.mu.Unlock()
}

// FailNext makes the next send_msg calls fail: an errcode each, or 0 for an HTTP 502.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	s.fails = append(s.fails, codes...)
	s.mu.Unlock()
}

// ExpireToken makes WeCom forget the current access token (as when it expires early).
func (s *Server) ExpireToken() {
	s.mu.Lock()
	s.token = "EXPIRED"
	s.mu.Unlock()
}

// SetState sets a session's service state, as WeCom's own servicers would.
func (s *Server) SetState(user string, state int) {
	s.mu.Lock()
	s.state[user] = state
	s.mu.Unlock()
}

// SentTexts returns what went out with kf/send_msg.
func (s *Server) SentTexts() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Welcomes returns what went out with kf/send_msg_on_event (ToUser holds the code).
func (s *Server) Welcomes() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.onEvent...)
}

// Transitions returns the accepted service_state/trans calls.
func (s *Server) Transitions() []Trans {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Trans(nil), s.trans...)
}

// Tokens is how many access tokens gettoken issued.
func (s *Server) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// Syncs is how many sync_msg calls were made.
func (s *Server) Syncs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncs
}

// State returns a session's service state.
func (s *Server) State(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[user]
}
