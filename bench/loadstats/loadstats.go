// Package loadstats summarises vegeta's results (the JSON lines of "vegeta encode -to json") against the
// Portcullis webhook: throughput, latency percentiles, and what the answers were.
//
// A policy denial is a normal answer, not an error. The answers are told apart as the API server would see them:
//   - allowed / denied: HTTP 200 with an AdmissionReview, allowed true, or allowed false with code 403 (Forbidden);
//   - rejected: HTTP 200 with allowed false and another code: Portcullis answering for itself (500 when a policy
//     failed or overran the deadline, 503 while shutting down, 400/413 over a request limit);
//   - HTTP errors: any other HTTP status (the body was not an AdmissionReview);
//   - transport errors: no HTTP answer at all (connection refused or reset, the client's timeout).
package loadstats

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is the part of a vegeta result read here.
type Result struct {
	Code      int           `json:"code"`
	Timestamp time.Time     `json:"timestamp"`
	Latency   time.Duration `json:"latency"`
	Error     string        `json:"error"`
	Body      []byte        `json:"body"`
}

// Summary is one load run.
type Summary struct {
	Requests        int            `json:"requests"`
	Seconds         float64        `json:"seconds"` // first request sent to last answer received
	PerSecond       float64        `json:"perSecond"`
	MeanMs          float64        `json:"meanMs"`
	P50Ms           float64        `json:"p50Ms"`
	P99Ms           float64        `json:"p99Ms"`
	P999Ms          float64        `json:"p999Ms"`
	MaxMs           float64        `json:"maxMs"`
	Allowed         int            `json:"allowed"`
	Denied          int            `json:"denied"`
	Rejected        int            `json:"rejected"`
	HTTPErrors      int            `json:"httpErrors"`
	TransportErrors int            `json:"transportErrors"`
	Late            int            `json:"late"` // answered (or failed) after the late threshold
	Codes           map[string]int `json:"codes"`
	DecidedP99Ms    *float64       `json:"decidedP99Ms"` // allowed and denied; null when there were none
	FailedP99Ms     *float64       `json:"failedP99Ms"`  // rejected, HTTP and transport errors; null when none
	Violations      int            `json:"violations"`   // "[constraint] message" lines of the first denial
	FirstFailure    string         `json:"firstFailure,omitempty"`
}

// answer is what one result was, with its key in Summary.Codes.
type answer struct {
	outcome    string // allowed, denied, rejected, http, transport
	code       string
	violations int
	message    string
}

// Classify tells what one result was.
func Classify(r Result) answer {
	if r.Code == 0 {
		return answer{outcome: "transport", code: "transport error", message: r.Error}
	}
	if r.Code != 200 {
		return answer{outcome: "http", code: "HTTP " + strconv.Itoa(r.Code), message: firstLine(string(r.Body))}
	}
	var review struct {
		Response *struct {
			Allowed bool `json:"allowed"`
			Status  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"status"`
		} `json:"response"`
	}
	if err := json.Unmarshal(r.Body, &review); err != nil || review.Response == nil {
		return answer{outcome: "http", code: "HTTP 200 without an AdmissionReview response", message: firstLine(string(r.Body))}
	}
	resp := review.Response
	if resp.Allowed {
		return answer{outcome: "allowed", code: "200 allowed"}
	}
	code, message := 0, ""
	if resp.Status != nil {
		code, message = resp.Status.Code, resp.Status.Message
	}
	if code == 403 {
		return answer{outcome: "denied", code: "200 denied (403)", violations: countViolations(message)}
	}
	return answer{outcome: "rejected", code: fmt.Sprintf("200 rejected (%d)", code), message: firstLine(message)}
}

// Summarize reads vegeta's JSON lines; results answered after late count as Late.
func Summarize(in io.Reader, late time.Duration) (Summary, error) {
	s := Summary{Codes: map[string]int{}}
	var all, decided, failed []time.Duration
	var first, last time.Time
	var total time.Duration
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var r Result
		if err := json.Unmarshal(line, &r); err != nil {
			return s, fmt.Errorf("result %d: %w", s.Requests+1, err)
		}
		s.Requests++
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		if end := r.Timestamp.Add(r.Latency); end.After(last) {
			last = end
		}
		total += r.Latency
		all = append(all, r.Latency)
		if r.Latency > late {
			s.Late++
		}
		a := Classify(r)
		s.Codes[a.code]++
		switch a.outcome {
		case "allowed":
			s.Allowed++
		case "denied":
			s.Denied++
			if s.Violations == 0 {
				s.Violations = a.violations
			}
		case "rejected":
			s.Rejected++
		case "http":
			s.HTTPErrors++
		case "transport":
			s.TransportErrors++
		}
		if a.outcome == "allowed" || a.outcome == "denied" {
			decided = append(decided, r.Latency)
		} else {
			failed = append(failed, r.Latency)
			if s.FirstFailure == "" {
				s.FirstFailure = a.code + ": " + a.message
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return s, err
	}
	if s.Requests == 0 {
		return s, fmt.Errorf("no results")
	}
	s.Seconds = last.Sub(first).Seconds()
	if s.Seconds > 0 {
		s.PerSecond = float64(s.Requests) / s.Seconds
	}
	s.MeanMs = ms(total / time.Duration(s.Requests))
	s.P50Ms = Percentile(all, 50)
	s.P99Ms = Percentile(all, 99)
	s.P999Ms = Percentile(all, 99.9)
	s.MaxMs = Percentile(all, 100)
	s.DecidedP99Ms = percentileOrNil(decided, 99)
	s.FailedP99Ms = percentileOrNil(failed, 99)
	return s, nil
}

// Percentile is the nearest-rank percentile p (0 < p <= 100) in milliseconds; NaN without values.
func Percentile(values []time.Duration, p float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	// The small epsilon keeps 99.9% of 1000 at rank 999 despite binary floating point.
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	rank = max(1, min(rank, len(sorted)))
	return ms(sorted[rank-1])
}

func percentileOrNil(values []time.Duration, p float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	v := Percentile(values, p)
	return &v
}

func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// countViolations counts Gatekeeper's "[constraint-name] message" lines of a denial.
func countViolations(message string) int {
	n := 0
	for _, line := range strings.Split(message, "\n") {
		if strings.HasPrefix(line, "[") {
			n++
		}
	}
	return n
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
