package conversation

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what flows through the conversation core.
type Metrics struct {
	Conversations prometheus.Counter
	Messages      *prometheus.CounterVec
	Turns         *prometheus.CounterVec
	TurnSeconds   prometheus.Histogram
	Handoffs      *prometheus.CounterVec
	OutboxSent    prometheus.Counter
	OutboxFailed  prometheus.Counter
	SLABreaches   prometheus.Counter
	Waiting       prometheus.Gauge
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Conversations: prometheus.NewCounter(prometheus.CounterOpts{Name: "tandem_conversations_started_total", Help: "Conversations started."}),
		Messages:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_messages_total", Help: "Messages stored, by author."}, []string{"author"}),
		Turns:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_bot_turns_total", Help: "Bot turns, by decision."}, []string{"decision"}),
		TurnSeconds:   prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tandem_bot_turn_seconds", Help: "Time of one bot turn.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		Handoffs:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tandem_handoffs_total", Help: "Handoffs to people, by reason."}, []string{"reason"}),
		OutboxSent:    prometheus.NewCounter(prometheus.CounterOpts{Name: "tandem_outbox_delivered_total", Help: "Outbox items delivered."}),
		OutboxFailed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "tandem_outbox_failures_total", Help: "Failed outbox delivery attempts."}),
		SLABreaches:   prometheus.NewCounter(prometheus.CounterOpts{Name: "tandem_sla_breaches_total", Help: "Waiting conversations that passed their first-response target."}),
		Waiting:       prometheus.NewGauge(prometheus.GaugeOpts{Name: "tandem_queue_waiting", Help: "Conversations waiting for a person."}),
	}
	reg.MustRegister(m.Conversations, m.Messages, m.Turns, m.TurnSeconds, m.Handoffs, m.OutboxSent, m.OutboxFailed, m.SLABreaches, m.Waiting)
	return m
}
