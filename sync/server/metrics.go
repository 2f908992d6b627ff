package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scopectl/scopectl/config"
)

type metrics struct {
	requests *prometheus.CounterVec
	tokens   prometheus.Histogram
	applies  prometheus.Histogram
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoped_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		tokens: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "scoped_token_issue_seconds", Help: "Time to authenticate a client and issue a token.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		applies: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "scoped_apply_seconds", Help: "Time to validate and store a descriptor.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	reg.MustRegister(m.requests, m.tokens, m.applies)
	return m
}

func promhttpHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// RequestLogMessage is the message of the log line of every request: a
// log output may batch these (cmd/scoped does).
const RequestLogMessage = "request"

// instrument counts and logs every request of one route, and turns a
// panic into a 500 answer instead of a dropped connection.
func (s *Server) instrument(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(r.Context(), "panic", "route", route, "panic", p)
				s.writeError(rec, r, config.Errorf(config.KindInternal, "panic in %s", route))
			}
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			s.log.LogAttrs(r.Context(), slog.LevelInfo, RequestLogMessage,
				slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
				slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
		}()
		h(rec, r)
	})
}
