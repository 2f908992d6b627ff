// Command authflood measures scoped's token endpoint during a flood of
// wrong client secrets: it sends valid logins at a fixed rate from
// 127.0.0.1 and reports their latency percentiles, and/or sends guesses
// from many loopback source addresses (127.1.x.y), as a botnet would. Run
// the two in separate processes, so that the guessing goroutines do not
// delay the measuring ones. A flood from one address is easier to send
// with wrk (see .ci/bench-auth).
//
//	go run ./.ci/bench/authflood -url http://127.0.0.1:9080 -rate 0 -attackers 500 [-target ID] &
//	go run ./.ci/bench/authflood -url http://127.0.0.1:9080 -valid test:test -rate 50 -duration 15s
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:9080", "scoped base URL")
	valid := flag.String("valid", "test:test", "ID:SECRET of the valid logins")
	rate := flag.Int("rate", 50, "valid logins a second (0: none)")
	duration := flag.Duration("duration", 15*time.Second, "how long to run")
	attackers := flag.Int("attackers", 0, "source addresses sending wrong secrets (0: none)")
	target := flag.String("target", "admin", `client id the attackers guess the secret of ("": random ids)`)
	flag.Parse()
	id, secret, ok := strings.Cut(*valid, ":")
	if !ok {
		fmt.Fprintln(os.Stderr, "authflood: -valid must be ID:SECRET")
		os.Exit(2)
	}
	tokenURL := *base + "/mfp/api/az/v1/token"
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()

	var statuses sync.Map // status -> *atomic.Int64
	var wg sync.WaitGroup
	for i := range *attackers {
		src := net.IPv4(127, 1, byte(i>>8), byte(i))
		wg.Go(func() { attack(ctx, clientFrom(src, 1), tokenURL, *target, &statuses) })
	}
	var latencies []time.Duration
	failed := 0
	if *rate > 0 {
		latencies, failed = validLogins(ctx, clientFrom(nil, 64), tokenURL, id, secret, *rate)
	}
	wg.Wait()
	report(*duration, *attackers, &statuses, latencies, failed, *rate > 0)
}

// clientFrom returns an HTTP client whose connections leave from src
// (nil: the system's choice), keeping up to idle connections open.
func clientFrom(src net.IP, idle int) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if src != nil {
		d.LocalAddr = &net.TCPAddr{IP: src}
	}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: idle}}
}

func tokenRequest(ctx context.Context, url, id, secret string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// attack sends wrong secrets for id (random ids if "") back to back
// until ctx ends.
func attack(ctx context.Context, c *http.Client, url, id string, statuses *sync.Map) {
	guess := make([]byte, 8)
	for ctx.Err() == nil {
		rand.Read(guess)
		guessID := id
		if guessID == "" {
			guessID = "ghost-" + hex.EncodeToString(guess[:4])
		}
		resp, err := c.Do(tokenRequest(ctx, url, guessID, hex.EncodeToString(guess)))
		if err != nil {
			continue
		}
		resp.Body.Close()
		n, _ := statuses.LoadOrStore(resp.StatusCode, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
}

// validLogins sends rate valid logins a second (each on its own
// goroutine, so a slow answer does not delay the next) and returns their
// latencies and how many failed.
func validLogins(ctx context.Context, c *http.Client, url, id, secret string, rate int) ([]time.Duration, int) {
	var mu sync.Mutex
	var latencies []time.Duration
	failed := 0
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return latencies, failed
		case <-tick.C:
		}
		wg.Go(func() {
			start := time.Now()
			resp, err := c.Do(tokenRequest(context.Background(), url, id, secret))
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || resp.StatusCode != http.StatusOK {
				failed++
			} else {
				latencies = append(latencies, took)
			}
			if err == nil {
				resp.Body.Close()
			}
		})
	}
}

func report(d time.Duration, attackers int, statuses *sync.Map, latencies []time.Duration, failed int, valid bool) {
	if attackers > 0 {
		fmt.Printf("guesses from %d addresses in %s:", attackers, d)
		statuses.Range(func(k, v any) bool {
			n := v.(*atomic.Int64).Load()
			fmt.Printf("  %d: %d (%.1f/s)", k, n, float64(n)/d.Seconds())
			return true
		})
		fmt.Println()
	}
	if !valid {
		return
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("valid logins: %d ok, %d failed; latency p50 %v  p90 %v  p99 %v  max %v\n",
		len(latencies), failed, pct(0.50), pct(0.90), pct(0.99), pct(1))
}
