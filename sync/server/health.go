package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Health checks are cheap enough to poll every second: the store's write
// probe runs at most once per healthInterval per process, and callers in
// between get its last result.
const (
	healthInterval = time.Second
	healthTimeout  = 5 * time.Second
)

// health caches the result of the store's write probe.
type health struct {
	now   func() time.Time
	probe func(context.Context) error

	mu      sync.Mutex
	checked time.Time // zero before the first probe
	err     error
}

// check returns the result of a probe made less than healthInterval ago,
// or probes now (and says so). The probe does not stop when the caller
// goes away, so that a cancelled request never caches a failure.
func (h *health) check(ctx context.Context) (probed bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	if age := now.Sub(h.checked); !h.checked.IsZero() && age >= 0 && age < healthInterval {
		return false, h.err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthTimeout)
	defer cancel()
	h.err, h.checked = h.probe(ctx), now
	return true, h.err
}

// healthAnswer is the body of GET /healthz.
type healthAnswer struct {
	Status  string      `json:"status"`
	Error   config.Kind `json:"error,omitempty"`
	Message string      `json:"message,omitempty"`
}

// handleHealth answers 200 when the store could commit a write within the
// last healthInterval, else 503 (the cause is logged, not sent); also 503
// once a newer scoped has migrated the store, so that a load balancer
// stops sending requests to this older process.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	probed, err := s.health.check(r.Context())
	defer s.errLog.flush(r.Context()) // the counts of errors not logged
	if err == nil {
		writeJSON(w, http.StatusOK, healthAnswer{Status: "ok"})
		return
	}
	if probed {
		s.errLog.error(r.Context(), "health check", err)
	}
	if config.ErrorKind(err) == config.KindConflict {
		writeJSON(w, http.StatusServiceUnavailable, healthAnswer{
			Status: "outdated", Error: config.KindConflict,
			Message: "a newer scoped has migrated the store: stop this process",
		})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, healthAnswer{
		Status: "store unavailable", Error: config.KindUnavailable,
		Message: "the store cannot commit a write; the cause is in the server's log",
	})
}
