package action

import (
	"context"
	"encoding/json"
	"slices"

	"tandem/chat"
	"tandem/llm"
)

// Chooser is a model that picks a tool for the customer's messages (llm.Chat).
type Chooser interface {
	Choose(ctx context.Context, texts []string, lang string, tools []llm.Tool) (llm.ToolCall, bool, error)
}

// choose asks the model for an action and its arguments. What it asks for is checked against
// the stored definitions before anything else happens: an unknown action or arguments that break
// a parameter's rules are refused (logged, and the turn goes on offline), so the model never
// reaches a URL or a value the admin did not allow. err is the model's own failure (a timeout,
// an error), after which the turn answers without the model.
func (b *Bot) choose(ctx context.Context, history []chat.Message, text string) (string, map[string]string, bool, error) {
	defs, err := b.Defs.Actions(ctx)
	if err != nil || len(defs) == 0 {
		return "", nil, false, nil
	}
	texts := customerTexts(history, text)
	l := replyLang(texts)
	slices.Reverse(texts) // oldest first, as the conversation went
	tools := make([]llm.Tool, 0, len(defs))
	for _, d := range defs {
		tools = append(tools, llm.Tool{Name: d.Name, Description: pick(d.Description, l), Parameters: Schema(d)})
	}
	call, ok, err := b.Chooser.Choose(ctx, texts, l, tools)
	if err != nil {
		b.log().Warn("action choice failed; going on without a model", "err", err)
		return "", nil, false, err
	}
	if !ok {
		return "", nil, false, nil
	}
	i := slices.IndexFunc(defs, func(d Definition) bool { return d.Name == call.Name })
	if i < 0 {
		b.log().Warn("model asked for an unknown action; refused", "action", call.Name)
		return "", nil, false, nil
	}
	if _, err := CheckArgs(defs[i], call.Args); err != nil {
		b.log().Warn("model gave invalid arguments; refused", "action", call.Name, "err", err)
		return "", nil, false, nil
	}
	return call.Name, call.Args, true, nil
}

// Schema is the JSON schema of a definition's parameters, as a model sees them.
func Schema(d Definition) json.RawMessage {
	props := map[string]any{}
	var required []string
	for _, p := range d.Params {
		prop := map[string]any{"type": "string", "description": p.Description}
		switch p.Type {
		case "integer", "number":
			prop["type"] = p.Type
		}
		if p.Pattern != "" {
			prop["pattern"] = "^(?:" + p.Pattern + ")$"
		}
		if len(p.Enum) > 0 {
			prop["enum"] = p.Enum
		}
		props[p.Name] = prop
		if p.Required {
			required = append(required, p.Name)
		}
	}
	schema := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		schema["required"] = required
	}
	b, _ := json.Marshal(schema)
	return b
}
