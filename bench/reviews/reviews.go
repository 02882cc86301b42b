// Package reviews builds the Pod CREATE AdmissionReviews (admission.k8s.io/v1) that bin/loadtest sends.
//
// Two are written by hand: a small Pod (pod-2k.json) and a realistic one (pod-9k.json: a Deployment's Pod with an
// init container, two containers, env, probes, securityContext, volumes and managedFields, denied by several
// gatekeeper-library sample constraints). The larger ones are the realistic Pod padded with what makes real Pods
// big: ConfigMap-like annotations and long env lists.
package reviews

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed pod-2k.json pod-9k.json
var files embed.FS

// Size is one request size of the load test: Name as given to --sizes, Target the padded size in bytes (0: the
// file as written).
type Size struct {
	Name   string
	File   string
	Target int
}

// Sizes are the sizes bin/loadtest knows, smallest first.
var Sizes = []Size{
	{Name: "2k", File: "pod-2k.json"},
	{Name: "9k", File: "pod-9k.json"},
	{Name: "100k", File: "pod-9k.json", Target: 100 * 1024},
	{Name: "1m", File: "pod-9k.json", Target: 1024 * 1024},
}

// Lookup finds a size by name.
func Lookup(name string) (Size, error) {
	var names []string
	for _, s := range Sizes {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return Size{}, fmt.Errorf("unknown review size %q (known: %s)", name, strings.Join(names, ", "))
}

// Generate returns the AdmissionReview of this size as compact JSON, as the API server sends it. The same size
// always gives the same bytes.
func Generate(size Size) ([]byte, error) {
	raw, err := files.ReadFile(size.File)
	if err != nil {
		return nil, err
	}
	var review map[string]any
	if err := json.Unmarshal(raw, &review); err != nil {
		return nil, fmt.Errorf("%s: %w", size.File, err)
	}
	if size.Target > 0 {
		if err := pad(review, size.Target); err != nil {
			return nil, err
		}
	}
	return json.Marshal(review)
}

// pad grows the Pod until its review is at least target bytes: each round adds a 4 KiB annotation of
// ConfigMap-like "key=value" lines and 16 env vars to the first container (about 5 KiB in all).
func pad(review map[string]any, target int) error {
	pod, ok := at(review, "request", "object").(map[string]any)
	if !ok {
		return fmt.Errorf("the review has no request.object")
	}
	annotations, _ := at(pod, "metadata", "annotations").(map[string]any)
	containers, _ := at(pod, "spec", "containers").([]any)
	if annotations == nil || len(containers) == 0 {
		return fmt.Errorf("the Pod to pad needs metadata.annotations and a container")
	}
	first := containers[0].(map[string]any)
	env, _ := first["env"].([]any)
	for round := 0; ; round++ {
		out, err := json.Marshal(review)
		if err != nil {
			return err
		}
		if len(out) >= target {
			return nil
		}
		annotations[fmt.Sprintf("config.shop.example.com/part-%04d", round)] = configText(round, 4096)
		for i := 0; i < 16; i++ {
			n := round*16 + i
			env = append(env, map[string]any{
				"name":  fmt.Sprintf("SHOP_SETTING_%05d", n),
				"value": fmt.Sprintf("tier=%d;region=eu-west-%d;enabled=%t", n%7, n%3+1, n%2 == 0),
			})
		}
		first["env"] = env
	}
}

// configText is about size bytes of "key=value" lines, as a ConfigMap's properties file would hold.
func configText(round, size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "shop.feature.%d.%d.limit=%d\n", round, i, (round*31+i*17)%1000)
	}
	return b.String()
}

func at(object map[string]any, path ...string) any {
	var current any = object
	for _, key := range path {
		m, ok := current.(map[string]any)
		if !ok {
			return nil
		}
		current = m[key]
	}
	return current
}
