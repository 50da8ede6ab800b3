// Package bot holds the assistant's durable functions.
package bot

import "github.com/inngest/inngestgo"

type QuestionData struct {
	TeamID    string `json:"team_id"`
	Channel   string `json:"channel"`
	User      string `json:"user"`
	Text      string `json:"text"`
	MessageTS string `json:"message_ts"`
}

type TicketData struct {
	TicketID string `json:"ticket_id"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
	Channel  string `json:"channel"`
}

type (
	QuestionAsked   = inngestgo.GenericEvent[QuestionData]
	MentionReceived = inngestgo.GenericEvent[QuestionData]
	TicketOpened    = inngestgo.GenericEvent[TicketData]
	// FeedbackGiven holds the fields this code reads of
	// "assistant/feedback-given", which also carries message_ts and user.
	FeedbackGiven = inngestgo.GenericEvent[struct {
		Rating int `json:"rating"`
	}]
	CronEvent = inngestgo.GenericEvent[map[string]any]
)

// The assistant's events are named prefix/noun-verb.
const (
	EventQuestionAsked   = "assistant/question-asked" // silent: eventname (prefix/noun-verb, the style of the whole module)
	EventMentionReceived = "assistant/mention-received"
	EventFeedbackGiven   = "assistant/feedback-given"
	EventTicketOpened    = "assistant/ticket-opened"
)

// Intent is what classify-intent returns.
type Intent struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
}
