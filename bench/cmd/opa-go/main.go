// Command opa-go evaluates an AdmissionReview against ConstraintTemplates and constraints with OPA's Go
// evaluator, as Gatekeeper does (see package opaeval), on 1, 2, ... goroutines for a fixed time each, and prints
// reviews/s and the time per review. bin/loadtest runs it beside the webhook for the comparison row.
//
//	opa-go -templates DIR -constraints DIR[,DIR] -data DIR -review FILE -goroutines 1,2,16 -seconds 10 [-json]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis/bench/opaeval"
)

func main() {
	templates := flag.String("templates", "", "ConstraintTemplates directories, comma-separated")
	constraints := flag.String("constraints", "", "constraint directories, comma-separated")
	data := flag.String("data", "", "inventory directories (Namespaces, ...), comma-separated")
	reviewFile := flag.String("review", "", "AdmissionReview JSON file")
	goroutines := flag.String("goroutines", "1,2", "goroutine counts, comma-separated; one run each")
	seconds := flag.Float64("seconds", 10, "seconds per run")
	warmup := flag.Float64("warmup", 2, "seconds of warm-up before the first run")
	asJSON := flag.Bool("json", false, "print JSON lines (a summary, then one per run) instead of text")
	flag.Parse()
	if *templates == "" || *reviewFile == "" {
		fail(fmt.Errorf("-templates and -review are required"))
	}
	counts, err := ints(*goroutines)
	if err != nil {
		fail(err)
	}
	body, err := os.ReadFile(*reviewFile)
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	started := time.Now()
	e, err := opaeval.Load(ctx, opaeval.Sources{Templates: list(*templates), Constraints: list(*constraints), Data: list(*data)})
	if err != nil {
		fail(err)
	}
	violations, err := e.Review(ctx, body)
	if err != nil {
		fail(err)
	}
	var review struct {
		Request struct {
			Namespace string            `json:"namespace"`
			Kind      map[string]string `json:"kind"`
		} `json:"request"`
	}
	_ = json.Unmarshal(body, &review)
	summary := map[string]any{
		"templates": e.Templates(), "constraints": e.Constraints, "problems": e.Problems,
		"matching":   e.Matching(review.Request.Kind["group"], review.Request.Kind["kind"], review.Request.Namespace),
		"violations": len(violations), "loadSeconds": time.Since(started).Seconds(),
	}
	if *asJSON {
		print(summary)
	} else {
		fmt.Printf("OPA Go evaluator: %d templates, %d constraints (%d match the review), %d violations, loaded in %.1f s\n",
			e.Templates(), e.Constraints, summary["matching"], len(violations), summary["loadSeconds"])
		for _, p := range e.Problems {
			fmt.Println("  problem:", p)
		}
	}
	if *warmup > 0 {
		if _, err := e.Bench(ctx, body, max(counts[0], 1), time.Duration(*warmup*float64(time.Second))); err != nil {
			fail(err)
		}
	}
	for _, n := range counts {
		run, err := e.Bench(ctx, body, n, time.Duration(*seconds*float64(time.Second)))
		if err != nil {
			fail(err)
		}
		if *asJSON {
			print(run)
		} else {
			fmt.Printf("goroutines %3d: %8.1f reviews/s, %9.1f µs per review, %9.1f µs CPU per review\n",
				n, run.PerSecond, run.LatencyUs, run.CPUUs)
		}
	}
}

func print(v any) {
	if err := json.NewEncoder(os.Stdout).Encode(v); err != nil {
		fail(err)
	}
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func ints(s string) ([]int, error) {
	var out []int
	for _, p := range list(s) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-goroutines: %q is not a positive count", p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-goroutines: no count given")
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "opa-go:", err)
	os.Exit(1)
}
