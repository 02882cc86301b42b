package opaeval

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall"
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
	// CPUUs is the process's CPU time (user + system, garbage collection included) per review: on a shared
	// machine it moves far less with the load average than the times above.
	CPUUs float64 `json:"cpuUs"`
}

// Bench evaluates body on n goroutines for d. The first error stops the run and is returned.
func (e *Evaluator) Bench(ctx context.Context, body []byte, n int, d time.Duration) (Run, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var reviews atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	cpuBefore := cpuTime()
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
	cpu := cpuTime() - cpuBefore
	r := Run{Goroutines: n, Reviews: reviews.Load(), Seconds: elapsed}
	if r.Reviews > 0 {
		r.PerSecond = float64(r.Reviews) / elapsed
		r.LatencyUs = elapsed * float64(n) / float64(r.Reviews) * 1e6
		r.CPUUs = cpu.Seconds() / float64(r.Reviews) * 1e6
	}
	return r, nil
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
