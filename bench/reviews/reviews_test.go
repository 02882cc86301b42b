package reviews

import (
	"encoding/json"
	"testing"
)

func TestEverySizeIsAPodCreateReviewOfAboutItsSize(t *testing.T) {
	want := map[string][2]int{ // bytes: at least, at most
		"2k":   {1500, 2600},
		"9k":   {8000, 10000},
		"100k": {100 * 1024, 108 * 1024},
		"1m":   {1024 * 1024, 1032 * 1024},
	}
	for _, size := range Sizes {
		body, err := Generate(size)
		if err != nil {
			t.Fatalf("%s: %v", size.Name, err)
		}
		if n := len(body); n < want[size.Name][0] || n > want[size.Name][1] {
			t.Errorf("%s: %d bytes, want %d..%d", size.Name, n, want[size.Name][0], want[size.Name][1])
		}
		var review struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Request    struct {
				UID       string         `json:"uid"`
				Operation string         `json:"operation"`
				Kind      map[string]any `json:"kind"`
				Object    struct {
					Kind string `json:"kind"`
					Spec struct {
						Containers []any `json:"containers"`
					} `json:"spec"`
				} `json:"object"`
			} `json:"request"`
		}
		if err := json.Unmarshal(body, &review); err != nil {
			t.Fatalf("%s: %v", size.Name, err)
		}
		r := review.Request
		if review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview" || r.UID == "" ||
			r.Operation != "CREATE" || r.Kind["kind"] != "Pod" || r.Object.Kind != "Pod" || len(r.Object.Spec.Containers) == 0 {
			t.Errorf("%s: not a Pod CREATE AdmissionReview: %+v", size.Name, review)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	size, err := Lookup("100k")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Generate(size)
	b, _ := Generate(size)
	if string(a) != string(b) {
		t.Error("two reviews of the same size differ")
	}
}

func TestUnknownSizeNamesTheKnownOnes(t *testing.T) {
	_, err := Lookup("5k")
	if err == nil || err.Error() != `unknown review size "5k" (known: 2k, 9k, 100k, 1m)` {
		t.Errorf("got %v", err)
	}
}
