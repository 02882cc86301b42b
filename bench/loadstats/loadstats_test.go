package loadstats

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// line is a result as "vegeta encode -to json" writes it (latency in nanoseconds, body in base64).
func line(t *testing.T, start time.Time, offset, latency time.Duration, code int, errText, body string) string {
	t.Helper()
	out, err := json.Marshal(map[string]any{
		"attack": "", "seq": 0, "code": code, "timestamp": start.Add(offset), "latency": int64(latency),
		"bytes_out": 9000, "bytes_in": len(body), "error": errText, "body": []byte(body),
		"method": "POST", "url": "https://127.0.0.1:8443/v1/admit", "headers": map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

const (
	denied = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":false,` +
		`"status":{"code":403,"message":"[psp-privileged-container] Privileged container is not allowed: log-shipper\n` +
		`[repo-is-openpolicyagent] container <web> has an invalid image repo","reason":"Forbidden"}}}`
	allowed  = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}}`
	overran  = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":false,"status":{"code":500,"message":"validation of Pod demo/x did not finish within the 3s deadline"}}}`
	notFound = `{"kind":"Status","code":400}`
)

func TestDenialsAreAnswersAndFailuresAreCountedByKind(t *testing.T) {
	start := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	in := strings.Join([]string{
		line(t, start, 0, 10*time.Millisecond, 200, "", denied),
		line(t, start, 100*time.Millisecond, 20*time.Millisecond, 200, "", allowed),
		line(t, start, 200*time.Millisecond, 3*time.Second, 200, "", overran),
		line(t, start, 300*time.Millisecond, 5*time.Millisecond, 400, "400 Bad Request", notFound),
		line(t, start, 400*time.Millisecond, 6*time.Second, 0, "read: connection reset by peer", ""),
	}, "\n")
	s, err := Summarize(strings.NewReader(in), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 5 || s.Allowed != 1 || s.Denied != 1 || s.Rejected != 1 || s.HTTPErrors != 1 || s.TransportErrors != 1 {
		t.Errorf("counts: %+v", s)
	}
	if s.Violations != 2 {
		t.Errorf("violations %d, want the 2 lines of the denial", s.Violations)
	}
	if s.Late != 1 {
		t.Errorf("late %d, want 1 (the 6 s transport error)", s.Late)
	}
	want := map[string]int{"200 denied (403)": 1, "200 allowed": 1, "200 rejected (500)": 1, "HTTP 400": 1, "transport error": 1}
	for k, v := range want {
		if s.Codes[k] != v {
			t.Errorf("codes %v, want %v", s.Codes, want)
		}
	}
	if s.Seconds != 6.4 || math.Abs(s.PerSecond-5/6.4) > 1e-9 {
		t.Errorf("span %.3f s, %.3f/s; want from the first send to the last answer, 6.4 s", s.Seconds, s.PerSecond)
	}
	if *s.DecidedP99Ms != 20 || *s.FailedP99Ms != 6000 {
		t.Errorf("p99 decided %v failed %v", *s.DecidedP99Ms, *s.FailedP99Ms)
	}
	if !strings.HasPrefix(s.FirstFailure, "200 rejected (500): validation of Pod") {
		t.Errorf("first failure %q", s.FirstFailure)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var values []time.Duration
	for i := 1000; i >= 1; i-- { // unsorted on purpose
		values = append(values, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]float64{50: 500, 99: 990, 99.9: 999, 100: 1000} {
		if got := Percentile(values, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if !math.IsNaN(Percentile(nil, 99)) {
		t.Error("no values must give NaN")
	}
}

func TestNullWhenNothingFailed(t *testing.T) {
	in := line(t, time.Now(), 0, time.Millisecond, 200, "", allowed)
	s, err := Summarize(strings.NewReader(in), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(s)
	if !strings.Contains(string(out), `"failedP99Ms":null`) {
		t.Errorf("%s", out)
	}
}

func TestGarbageIsAnErrorNotAZero(t *testing.T) {
	if _, err := Summarize(strings.NewReader("not json\n"), time.Second); err == nil {
		t.Error("want an error")
	}
	if _, err := Summarize(strings.NewReader(""), time.Second); err == nil {
		t.Error("want an error for no results")
	}
}
