package main

import (
	"bytes"
	"context"
	"regexp"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// The `test` mode runs Rego unit tests (rules named test_*) with OPA's own test runner, as `opa test` does,
// so that pass, fail and error are OPA's verdicts and the report is OPA's text.
//
//	request:  {"modules":[{"name":"policies/x/src.rego","source":"...","regoVersion":"v0"}, ...],
//	           "run":"regex (opa test --run)", "verbose":false, "timeoutSeconds":5}
//	answer:   {"report":"<opa test's text>","passed":3,"failed":0,"errored":0,"skipped":0,"opaVersion":"1.22.2"}
//	       or {"errors":[...]}   (a module that does not parse or compile: nothing ran)
type testRequest struct {
	Modules        []module `json:"modules"`
	Run            string   `json:"run"`
	Verbose        bool     `json:"verbose"`
	TimeoutSeconds int      `json:"timeoutSeconds"`
}

type testAnswer struct {
	Report     string         `json:"report"`
	Passed     int            `json:"passed"`
	Failed     int            `json:"failed"`
	Errored    int            `json:"errored"`
	Skipped    int            `json:"skipped"`
	OpaVersion string         `json:"opaVersion"`
	Errors     []compileError `json:"errors,omitempty"`
}

func runTests(req testRequest) testAnswer {
	if req.Run != "" {
		if _, err := regexp.Compile(req.Run); err != nil {
			return testAnswer{Errors: []compileError{{Code: "request_error", Message: "invalid run pattern: " + err.Error()}}}
		}
	}
	modules := map[string]*ast.Module{}
	for _, m := range req.Modules {
		parsed, err := ast.ParseModuleWithOpts(m.Name, m.Source,
			ast.ParserOptions{RegoVersion: regoVersion(m.RegoVersion), ProcessAnnotation: true})
		if err != nil {
			return testAnswer{Errors: toErrors(err)}
		}
		modules[m.Name] = parsed
	}
	timeout := 5 * time.Second // opa test's default per test
	if req.TimeoutSeconds > 0 {
		timeout = time.Duration(req.TimeoutSeconds) * time.Second
	}

	ctx := context.Background()
	store := inmem.New()
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		return testAnswer{Errors: toErrors(err)}
	}
	defer store.Abort(ctx, txn)
	// The compiler and runner `opa test` sets up (cmd/test.go), without coverage, benchmarks and watching.
	compiler := ast.NewCompiler().
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn)).
		WithEnablePrintStatements(true).
		WithCapabilities(ast.CapabilitiesForThisVersion()).
		WithUseTypeCheckAnnotations(true)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		EnableTracing(req.Verbose).
		StackTraces(true).
		SetModules(modules).
		SetTimeout(timeout).
		Filter(req.Run)
	results, err := runner.RunTests(ctx, txn)
	if err != nil {
		return testAnswer{Errors: toErrors(err)}
	}

	// Count while OPA's own reporter prints, so the report is exactly what `opa test` would print.
	var a testAnswer
	counted := make(chan *tester.Result)
	go func() {
		defer close(counted)
		for r := range results {
			switch {
			case r.Skip:
				a.Skipped++
			case r.Error != nil:
				a.Errored++
			case r.Fail:
				a.Failed++
			default:
				a.Passed++
			}
			counted <- r
		}
	}()
	var report bytes.Buffer
	if err := (tester.PrettyReporter{Output: &report, Verbose: req.Verbose}).Report(counted); err != nil {
		return testAnswer{Errors: toErrors(err)}
	}
	a.Report = report.String()
	return a
}
