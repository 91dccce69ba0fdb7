package channels

import "tandem/config"

// spec is one admin-editable channel setting and where it lives in the configuration.
type spec struct {
	key, label string
	secret     bool
	required   bool
	at         func(*config.Config) *string
}

// specs lists each channel's settings, in the order the console shows them. The first
// field is the one whose presence enables the channel.
var specs = map[string][]spec{
	"telegram": {
		{"bot_token", "Bot token", true, true, func(c *config.Config) *string { return &c.TelegramToken }},
		{"secret", "Webhook secret_token", true, true, func(c *config.Config) *string { return &c.TelegramSecret }},
		{"api_base", "Bot API address", false, false, func(c *config.Config) *string { return &c.TelegramAPIBase }},
		{"greeting", "Greeting for /start (empty: built-in, English or Chinese)", false, false, func(c *config.Config) *string { return &c.TelegramGreeting }},
	},
	"whatsapp": {
		{"token", "Access token", true, true, func(c *config.Config) *string { return &c.WhatsAppToken }},
		{"app_secret", "App secret", true, true, func(c *config.Config) *string { return &c.WhatsAppAppSecret }},
		{"verify_token", "Verify token", true, true, func(c *config.Config) *string { return &c.WhatsAppVerifyToken }},
		{"phone_id", "Phone number ID", false, true, func(c *config.Config) *string { return &c.WhatsAppPhoneID }},
		{"template", "Template outside 24 h (name:language)", false, false, func(c *config.Config) *string { return &c.WhatsAppTemplate }},
		{"api_base", "Graph API address", false, false, func(c *config.Config) *string { return &c.WhatsAppAPIBase }},
	},
	"wechat": {
		{"token", "Token", true, true, func(c *config.Config) *string { return &c.WeChatToken }},
		{"app_id", "AppID", false, true, func(c *config.Config) *string { return &c.WeChatAppID }},
		{"app_secret", "AppSecret", true, true, func(c *config.Config) *string { return &c.WeChatAppSecret }},
		{"aes_key", "EncodingAESKey (safe mode)", true, false, func(c *config.Config) *string { return &c.WeChatAESKey }},
		{"api_base", "API address", false, false, func(c *config.Config) *string { return &c.WeChatAPIBase }},
	},
	"wecomkf": {
		{"corp_id", "CorpID", false, true, func(c *config.Config) *string { return &c.WeComKFCorpID }},
		{"secret", "微信客服 Secret", true, true, func(c *config.Config) *string { return &c.WeComKFSecret }},
		{"token", "Callback Token", true, true, func(c *config.Config) *string { return &c.WeComKFToken }},
		{"aes_key", "Callback EncodingAESKey", true, true, func(c *config.Config) *string { return &c.WeComKFAESKey }},
		{"open_kfid", "Customer service account (open_kfid)", false, true, func(c *config.Config) *string { return &c.WeComKFOpenKfID }},
		{"servicer", "WeCom servicer for handoffs (userid; empty: Tandem's agents)", false, false, func(c *config.Config) *string { return &c.WeComKFServicer }},
		{"welcome", "Welcome message", false, false, func(c *config.Config) *string { return &c.WeComKFWelcome }},
		{"api_base", "API address", false, false, func(c *config.Config) *string { return &c.WeComKFAPIBase }},
	},
	"chatwoot": {
		{"token", "Agent bot access token", true, true, func(c *config.Config) *string { return &c.ChatwootToken }},
		{"url", "Chatwoot address", false, true, func(c *config.Config) *string { return &c.ChatwootURL }},
		{"secret", "Webhook secret", true, true, func(c *config.Config) *string { return &c.ChatwootSecret }},
		{"account_secret", "Account webhook secret (status and assignee changes)", true, false, func(c *config.Config) *string { return &c.ChatwootAccountSecret }},
	},
	"generic": {
		{"secret", "Signing secret (≥ 32 characters)", true, true, func(c *config.Config) *string { return &c.WebhookSecret }},
		{"url", "Reply URL", false, true, func(c *config.Config) *string { return &c.WebhookURL }},
	},
}

// addressFields are the settings naming the host a channel's secrets are sent to.
var addressFields = map[string]bool{"api_base": true, "url": true}

// Clear empties every channel setting of cfg, so it enables no channel.
func Clear(cfg *config.Config) {
	for _, fields := range specs {
		for _, f := range fields {
			*f.at(cfg) = ""
		}
	}
}
