package wecomkf

import (
	"encoding/xml"
	"errors"
	"fmt"
)

// parseEnvelope decodes an encrypted callback body: <xml><ToUserName/><AgentID/><Encrypt/></xml>.
func parseEnvelope(body []byte) (envelope, error) {
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return env, fmt.Errorf("wecomkf callback: %w", err)
	}
	if env.Encrypt == "" {
		return env, errors.New("wecomkf callback: no Encrypt")
	}
	return env, nil
}
