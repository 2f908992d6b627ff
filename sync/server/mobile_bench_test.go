package server_test

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// BenchmarkMobileFlow measures, on a real scoped (127.0.0.1, SQLite in
// a temporary folder, synchronous=FULL), each mobile flow against the
// client-credentials token endpoint (cc), each worker of a flow an app
// instance registered beforehand:
//
//   - token: the JWT authorization grant alone, which runs the scope's
//     checks itself (one request), by instances with P-256 keys (ES256);
//   - token-rs256: the same by instances with RSA keys (RS256);
//   - preauthorize+token: a preauthorization, then the grant;
//   - code: a preauthorization, an authorization and the code exchange.
//
// The scope's only check (appAuthenticity: accessRestricted is mapped to
// "") stands in success. Each flow runs against cc on a server of its
// own, so that no flow pays for another's writes (SQLite checkpoints the
// log of earlier commits in a later one). The instances sign their
// assertions before each round's clock starts, as devices sign on their
// own CPUs. Each of the b.N rounds (run it with -benchtime 10x) runs
// roundSize operations of cc, then of the flow, on parallelism goroutines
// per core: a shared machine whose speed drifts slows both alike. It
// reports, for each flow, both workloads' operations per second and CPU
// time per operation (client and server share the process), and the
// flow's ratio to cc in both.
func BenchmarkMobileFlow(b *testing.B) {
	for _, flow := range []struct {
		name       string
		run        func(*testing.B, *authztest.Flow)
		assertions int // per operation
		device     func(config.AppKey) *authztest.Device
	}{
		{"token", bearerFlow, 1, authztest.NewDevice},
		{"token-rs256", bearerFlow, 1, authztest.NewRSADevice},
		{"preauthorize+token", mobileFlow, 2, authztest.NewDevice},
		{"code", codeFlow, 3, authztest.NewDevice},
	} {
		b.Run(flow.name, func(b *testing.B) {
			srv := servertest.StartWith(b, servertest.Options{},
				servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
				servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"})
			applyUnmapped(b, srv.URL)
			workers := parallelism * runtime.GOMAXPROCS(0)
			keepConnections(b, workers)
			instances := make([]*authztest.Flow, workers)
			for i := range instances {
				instances[i] = registeredFlow(b, srv.URL, flow.device(bankAndroid))
			}
			compare(b, workers,
				workload{name: "cc", op: func(int) { clientCredentialsToken(b, srv.URL, "test", "test-secret", "") }},
				workload{
					name:    "flow",
					op:      func(worker int) { flow.run(b, instances[worker]) },
					prepare: func(worker, ops int) { instances[worker].Presign(ops * flow.assertions) },
				})
		})
	}
}

// compare runs b.N rounds of cc then flow on workers goroutines and
// reports both and flow's ratio to cc.
func compare(b *testing.B, workers int, cc, flow workload) {
	b.ResetTimer()
	for range b.N {
		cc.run(workers, roundSize)
		flow.run(workers, roundSize)
	}
	for _, w := range []workload{cc, flow} {
		b.ReportMetric(w.perSecond(), w.name+"/s")
		b.ReportMetric(w.cpuPerOp(), w.name+"-cpu-µs")
	}
	b.ReportMetric(flow.perSecond()/cc.perSecond(), "flow/cc")
	b.ReportMetric(cc.cpuPerOp()/flow.cpuPerOp(), "flow/cc-cpu")
}

// parallelism is how many goroutines per core the benchmarks run, each a
// client with its own connection, as a load tool's: enough to keep the
// cores busy while requests wait for a commit (with 8, the flows that
// commit left a tenth of the CPU idle).
const parallelism = 16

// roundSize is how many operations of a workload a round runs.
const roundSize = 400

// workload is one kind of operation of BenchmarkMobileFlow and what its
// rounds took.
type workload struct {
	name string
	op   func(worker int)
	// prepare, if set, readies a worker for its next ops operations
	// before the clock starts: a device signs its assertions on its own
	// CPU, not on the server's.
	prepare   func(worker, ops int)
	ops       int
	wall, cpu time.Duration
}

// run runs n operations on the given number of goroutines, n/workers
// each (the first n%workers one more), and adds the time they took.
func (w *workload) run(workers, n int) {
	share := func(worker int) int { return n/workers + btoi(worker < n%workers) }
	if w.prepare != nil {
		for worker := range workers {
			w.prepare(worker, share(worker))
		}
	}
	var wg sync.WaitGroup
	start, cpu := time.Now(), cpuTime()
	for worker := range workers {
		wg.Go(func() {
			for range share(worker) {
				w.op(worker)
			}
		})
	}
	wg.Wait()
	w.wall += time.Since(start)
	w.cpu += cpuTime() - cpu
	w.ops += n
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *workload) perSecond() float64 { return float64(w.ops) / w.wall.Seconds() }

func (w *workload) cpuPerOp() float64 { return float64(w.cpu.Microseconds()) / float64(w.ops) }

// keepConnections lets the default client, which the flows use, keep n
// idle connections to a host instead of 2, for the rest of b: otherwise
// most requests of many goroutines open a connection.
func keepConnections(b *testing.B, n int) {
	t := http.DefaultTransport.(*http.Transport)
	was := t.MaxIdleConnsPerHost
	t.MaxIdleConnsPerHost = n
	b.Cleanup(func() { t.MaxIdleConnsPerHost = was })
}

// applyUnmapped applies the bank application with accessRestricted
// mapped to "": its scope needs appAuthenticity only.
func applyUnmapped(b *testing.B, base string) {
	b.Helper()
	body := strings.Replace(fixture(b, "valid/com.example.bank-android-1.0.json"), `"accessRestricted": "PinCodeAttempts",`, `"accessRestricted": "",`, 1)
	req, _ := http.NewRequest("POST", base+apps, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+clientCredentialsToken(b, base, "admin", "admin-secret", "mfpadmin"))
	req.Header.Set("Content-Type", "application/json")
	if a, err := send(req); err != nil || a.Status != 201 {
		b.Fatalf("apply: %d %s %v", a.Status, a.Body, err)
	}
}

// send sends req with the default client, as authztest.Flow does.
func send(req *http.Request) (authztest.Answer, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return authztest.Answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return authztest.Answer{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, err
}

// clientCredentialsToken posts a client-credentials token request with
// Basic authentication for scope and returns the access token.
func clientCredentialsToken(b *testing.B, base, id, secret, scope string) string {
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()
	req, _ := http.NewRequest("POST", base+"/mfp/api/az/v1/token", strings.NewReader(body))
	req.Header = basicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a, err := send(req)
	var tok tokenAnswer
	if err == nil && a.Status == 200 {
		err = a.JSON(&tok)
	}
	if err != nil || a.Status != 200 {
		b.Errorf("client credentials: %d %s %v", a.Status, a.Body, err) // Errorf: workers are other goroutines
	}
	return tok.AccessToken
}

// registeredFlow is dev, an instance of the bank application, registered.
func registeredFlow(b *testing.B, base string, dev *authztest.Device) *authztest.Flow {
	f := &authztest.Flow{URL: base, Runtime: "mfp", Device: dev, Now: time.Now}
	if a, err := f.Register(); err != nil || a.Status != 201 {
		b.Fatalf("registration: %d %s %v", a.Status, a.Body, err)
	}
	return f
}

// bearerFlow asks for a token with the JWT authorization grant alone,
// which runs the checks itself: the flow of an app whose checks need no
// answer, or stand in success.
func bearerFlow(b *testing.B, f *authztest.Flow) {
	if a, err := f.BearerGrant("accessRestricted"); err != nil || a.Status != 200 {
		b.Errorf("token: %d %s %v", a.Status, a.Body, err)
	}
}

// mobileFlow runs preauthorization, then the JWT authorization grant.
func mobileFlow(b *testing.B, f *authztest.Flow) {
	if preauthorized(b, f) {
		bearerFlow(b, f)
	}
}

// codeFlow runs preauthorization, authorization and the code exchange.
func codeFlow(b *testing.B, f *authztest.Flow) {
	if !preauthorized(b, f) {
		return
	}
	code, err := f.Code("accessRestricted", callback)
	if err != nil {
		b.Error(err)
		return
	}
	a, err := f.Exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}})
	if err != nil || a.Status != 200 {
		b.Errorf("token: %d %s %v", a.Status, a.Body, err)
	}
}

// preauthorized runs the preauthorization of accessRestricted and reports
// whether it passed.
func preauthorized(b *testing.B, f *authztest.Flow) bool {
	a, err := f.Preauthorize("accessRestricted", nil)
	if err != nil || a.Status != 200 {
		b.Errorf("preauthorization: %d %s %v", a.Status, a.Body, err)
		return false
	}
	return true
}
