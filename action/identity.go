package action

import (
	"strings"

	"tandem/chat"
)

// Channels whose customers are verified by how they arrive.
const (
	// channelWeb is the widget: verified when the site signed an identity token (external id
	// "id:" + the site's customer id).
	channelWeb = "web"
	// channelApp is the app API: the business's own server vouches for its customers with an
	// API key.
	channelApp = "api"
	// verifiedPrefix marks a widget customer the site vouched for.
	verifiedPrefix = "id:"
)

// Verify returns who a customer is for the business's systems, when Tandem can be sure: a widget
// customer with a signed identity, an app-API customer, or a customer on a channel an admin
// configured as trusted. Phone and policy numbers come from the identity's attributes ("phone",
// "policies": comma-separated).
func Verify(cu chat.Customer, trusted map[string]bool) (Identity, bool) {
	var id string
	switch {
	case cu.Channel == channelWeb && strings.HasPrefix(cu.ExternalID, verifiedPrefix):
		id = strings.TrimPrefix(cu.ExternalID, verifiedPrefix)
	case cu.Channel == channelApp || (cu.Channel != channelWeb && trusted[cu.Channel]):
		id = cu.ExternalID
	}
	if id == "" {
		return Identity{}, false
	}
	var policies []string
	for _, p := range strings.Split(cu.Attrs["policies"], ",") {
		if p = strings.TrimSpace(p); p != "" {
			policies = append(policies, p)
		}
	}
	return Identity{CustomerID: id, Phone: cu.Attrs["phone"], Policies: policies}, true
}
