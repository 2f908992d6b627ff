package resource_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// BenchmarkOnline measures the online verifier against a real scoped on
// 127.0.0.1 (docs/benchmarks.md): WarmCache is Verify of a token whose
// introspection answer is cached, from parallel goroutines; Cold is one
// introspection round trip per Verify (CacheTTL of 1 ns), with its
// latency percentiles.
func BenchmarkOnline(b *testing.B) {
	e := startScoped(b, servertest.Options{})
	e.url = e.srv.URL // no counting proxy in the way
	tok := e.token(b, "monitor", "monitor-secret", "mfpmonitor")
	scope := config.NewScope("mfpmonitor")
	ctx := context.Background()

	b.Run("WarmCache", func(b *testing.B) {
		v := e.online(b, resource.OnlineOptions{})
		if _, err := v.Verify(ctx, tok, scope); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(ctx, tok, scope); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
	})

	b.Run("ColdIntrospection", func(b *testing.B) {
		v := e.online(b, resource.OnlineOptions{CacheTTL: time.Nanosecond})
		if _, err := v.Verify(ctx, tok, scope); err != nil { // its own token, once
			b.Fatal(err)
		}
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := v.Verify(ctx, tok, scope); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, lat)
	})
}

// reportPercentiles reports the p50, p99 and max of lat in microseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds())
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}
