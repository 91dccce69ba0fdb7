package lease

import "github.com/prometheus/client_golang/prometheus"

// Gauge registers tandem_lease_held{lease} on reg and returns a Jobs.Holding that keeps it at 1
// for the leases this replica holds and 0 for the others, so an operator sees who runs what.
func Gauge(reg prometheus.Registerer) func(name string, held bool) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tandem_lease_held",
		Help: "1 while this replica holds the lease to run the named periodic job."}, []string{"lease"})
	reg.MustRegister(g)
	return func(name string, held bool) {
		v := 0.0
		if held {
			v = 1
		}
		g.WithLabelValues(name).Set(v)
	}
}
