package opaeval

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Run is one closed-loop run: Goroutines each evaluating the review again as soon as the last one is done.
type Run struct {
	Goroutines int     `json:"goroutines"`
	Reviews    int64   `json:"reviews"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"perSecond"`
	// LatencyUs is the mean time one review took (wall time × goroutines / reviews), the figure to set beside
	// the webhook's mean latency at the same concurrency.
	LatencyUs float64 `json:"latencyUs"`
}

// Bench evaluates body on n goroutines for d. The first error stops the run and is returned.
func (e *Evaluator) Bench(ctx context.Context, body []byte, n int, d time.Duration) (Run, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var reviews atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range n {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if _, err := e.Review(ctx, body); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				reviews.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return Run{}, firstErr
	}
	elapsed := time.Since(start).Seconds()
	r := Run{Goroutines: n, Reviews: reviews.Load(), Seconds: elapsed}
	if r.Reviews > 0 {
		r.PerSecond = float64(r.Reviews) / elapsed
		r.LatencyUs = elapsed * float64(n) / float64(r.Reviews) * 1e6
	}
	return r, nil
}
