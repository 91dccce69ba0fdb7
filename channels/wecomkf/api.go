package wecomkf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// API limits and timings.
const (
	apiTimeout   = 10 * time.Second
	maxAPIBody   = 4 << 20         // a sync_msg page of 1,000 messages stays well under this
	tokenEarly   = 5 * time.Minute // an access token is renewed this long before it expires
	syncPageSize = 1000            // kf/sync_msg's default and largest limit
)

// apiError is a non-zero errcode.
type apiError struct {
	Path    string
	ErrCode int
	ErrMsg  string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d %s", e.Path, e.ErrCode, e.ErrMsg)
}

// client calls the WeCom API with a cached access token.
type client struct {
	base, corpID, secret string
	http                 *http.Client
	now                  func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// accessToken returns the cached token, fetching one with gettoken when it is missing or close to
// expiring (WeCom's tokens last expires_in = 7200 s).
func (c *client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	var res struct {
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	if err := c.do(ctx, http.MethodGet, "/cgi-bin/gettoken?"+q.Encode(), nil, &res); err != nil {
		return "", err
	}
	if res.ErrCode != 0 || res.AccessToken == "" {
		return "", &apiError{"gettoken", res.ErrCode, res.ErrMsg}
	}
	c.token, c.expires = res.AccessToken, c.now().Add(time.Duration(res.ExpiresIn)*time.Second-tokenEarly)
	return c.token, nil
}

// forget drops a token WeCom refused, so the next call fetches a new one.
func (c *client) forget(token string) {
	c.mu.Lock()
	if c.token == token {
		c.token = ""
	}
	c.mu.Unlock()
}

// call POSTs body to path with the access token and decodes the answer into out, which must
// embed errcode/errmsg (see result). A refused token is renewed and the call made once more.
func (c *client) call(ctx context.Context, path string, body any, out interface{ result() *apiError }) error {
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		if err := c.do(ctx, http.MethodPost, path+"?access_token="+url.QueryEscape(token), body, out); err != nil {
			return err
		}
		e := out.result()
		if e.ErrCode == 0 {
			return nil
		}
		e.Path = path
		if (e.ErrCode == errInvalidToken || e.ErrCode == errTokenExpired) && attempt == 0 {
			c.forget(token)
			continue
		}
		return e
	}
}

// do makes one request; the access token never appears in an error.
func (c *client) do(ctx context.Context, method, pathQuery string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.base, "/")+pathQuery, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	path, _, _ := strings.Cut(pathQuery, "?")
	res, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("wecom %s: %w", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom %s: HTTP %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxAPIBody)).Decode(out); err != nil {
		return fmt.Errorf("wecom %s: %w", path, err)
	}
	return nil
}

// errResult is the errcode/errmsg every answer carries.
type errResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r *errResult) result() *apiError { return &apiError{ErrCode: r.ErrCode, ErrMsg: r.ErrMsg} }

// syncPage is a kf/sync_msg answer.
type syncPage struct {
	errResult
	NextCursor string    `json:"next_cursor"`
	HasMore    int       `json:"has_more"`
	MsgList    []Message `json:"msg_list"`
}

// syncMsg reads one page of an account's messages after cursor.
func (c *client) syncMsg(ctx context.Context, openKfID, cursor, token string) (syncPage, error) {
	var p syncPage
	body := map[string]any{"cursor": cursor, "token": token, "limit": syncPageSize, "voice_format": 0, "open_kfid": openKfID}
	err := c.call(ctx, "/cgi-bin/kf/sync_msg", body, &p)
	return p, err
}

// sendText sends a text message with kf/send_msg. Errors that retrying cannot fix wrap
// chat.ErrUndeliverable.
func (c *client) sendText(ctx context.Context, openKfID, externalUserID, text string) error {
	var res errResult
	body := map[string]any{"touser": externalUserID, "open_kfid": openKfID, "msgtype": "text", "text": map[string]string{"content": text}}
	return undeliverable(c.call(ctx, "/cgi-bin/kf/send_msg", body, &res))
}

// sendOnEvent answers an event (the welcome of enter_session) with its single-use code.
func (c *client) sendOnEvent(ctx context.Context, code, text string) error {
	var res errResult
	body := map[string]any{"code": code, "msgtype": "text", "text": map[string]string{"content": text}}
	return c.call(ctx, "/cgi-bin/kf/send_msg_on_event", body, &res)
}

// Service states of kf/service_state (分配客服会话).
const (
	StateUntreated = 0 // 未处理: new, the API may reply
	StateAssistant = 1 // 由智能助手接待: the API (Tandem) serves it
	StatePool      = 2 // 待接入池排队中: queued for a WeCom servicer
	StateHuman     = 3 // 由人工接待: a WeCom servicer serves it
	StateEnded     = 4 // 已结束/未开始
)

// transState moves a session with kf/service_state/trans; servicer is required for StateHuman.
func (c *client) transState(ctx context.Context, openKfID, externalUserID string, state int, servicer string) error {
	var res errResult
	body := map[string]any{"open_kfid": openKfID, "external_userid": externalUserID, "service_state": state}
	if servicer != "" {
		body["servicer_userid"] = servicer
	}
	return c.call(ctx, "/cgi-bin/kf/service_state/trans", body, &res)
}
