// Command opa-wasm-compiler turns Rego modules into an OPA WebAssembly module,
// the same output as `opa build -t wasm`, using OPA's own Go compiler.
//
// It reads one JSON request on stdin and writes one JSON answer on stdout, so
// that the JVM can call it as a plain process (native build) or run it inside
// Chicory with WASI (GOOS=wasip1 build) with the same protocol:
//
//	request:  {"modules":[{"name":"t.rego","source":"...","regoVersion":"v0"}],
//	           "entrypoints":["k8srequiredlabels/violation"]}
//	answer:   {"wasm":"<base64>","opaVersion":"1.22.2"}
//	       or {"errors":[{"code":"rego_parse_error","message":"...","file":"t.rego","row":3,"col":7}]}
//
// `opa-wasm-compiler version` prints the OPA version and the revision of our own
// rewrites (hostbuiltins.go), e.g. 1.22.2+portcullis.1; it is part of the cache key
// of every compiled module, so a changed rewrite never reuses a module from disk.
//
// `opa-wasm-compiler outline` reports OPA's parse of modules (see outline.go).
//
// `opa-wasm-compiler eval` evaluates a query with OPA's Go evaluator (topdown),
// the reference our wasm engine and Java builtins are tested against:
//
//	request:  {"query":"x := sprintf(\"%v\", [{1}])","modules":[...],"input":{...},"data":{...},
//	           "valueInput":true}   (valueInput: the input as Gatekeeper hands OPA a review, see eval.go)
//	answer:   {"results":[{"x":"{1}"}]} or {"errors":[...]}
//
// `opa-wasm-compiler test` runs Rego unit tests with OPA's test runner, as `opa test` does (see test.go).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/version"
)

type module struct {
	Name        string `json:"name"`
	Source      string `json:"source"`
	RegoVersion string `json:"regoVersion"` // "v0" (Gatekeeper's default) or "v1"
}

type request struct {
	Modules     []module `json:"modules"`
	Entrypoints []string `json:"entrypoints"`
}

type compileError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Row     int    `json:"row,omitempty"`
	Col     int    `json:"col,omitempty"`
}

type answer struct {
	Wasm       []byte         `json:"wasm,omitempty"`
	OpaVersion string         `json:"opaVersion"`
	Errors     []compileError `json:"errors,omitempty"`
}

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "version":
		fmt.Println(version.Version + "+portcullis." + rewriteRevision)
	case "outline":
		serve(func(req outlineRequest) outlineAnswer {
			a := outline(req)
			a.OpaVersion = version.Version
			return a
		})
	case "eval":
		serve(evaluate)
	case "test":
		serve(func(req testRequest) testAnswer {
			a := runTests(req)
			a.OpaVersion = version.Version
			return a
		})
	case "":
		serve(func(req request) answer {
			a := build(req)
			a.OpaVersion = version.Version
			return a
		})
	default:
		fail(fmt.Errorf("unknown mode %q (want none, version, outline, eval or test)", mode))
	}
}

// serve reads one JSON request from stdin and writes the handler's answer as JSON to stdout.
func serve[Req any, Ans any](handle func(Req) Ans) {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(fmt.Errorf("reading request: %w", err))
	}
	var req Req
	if err := json.Unmarshal(in, &req); err != nil {
		fail(fmt.Errorf("decoding request: %w", err))
	}
	if err := json.NewEncoder(os.Stdout).Encode(handle(req)); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "opa-wasm-compiler:", err)
	os.Exit(2)
}

func build(req request) answer {
	if len(req.Entrypoints) == 0 {
		return answer{Errors: []compileError{{Code: "request_error", Message: "no entrypoints given"}}}
	}
	b := &bundle.Bundle{Manifest: bundle.Manifest{}, Data: map[string]any{}}
	b.Manifest.Init()
	var parsedModules []*ast.Module
	for _, m := range req.Modules {
		parsed, err := ast.ParseModuleWithOpts(m.Name, m.Source, ast.ParserOptions{RegoVersion: regoVersion(m.RegoVersion)})
		if err != nil {
			return answer{Errors: toErrors(err)}
		}
		parsedModules = append(parsedModules, parsed)
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: m.Name, Path: m.Name, RelativePath: m.Name, Raw: []byte(m.Source), Parsed: parsed})
	}
	// Calls the wasm runtime gets wrong go to host builtins (see hostbuiltins.go).
	redirectToHost(parsedModules)
	c := compile.New().
		WithTarget(compile.TargetWasm).
		WithRegoVersion(ast.RegoV0CompatV1).
		WithCapabilities(withHostBuiltins(ast.CapabilitiesForThisVersion())).
		WithEntrypoints(req.Entrypoints...).
		WithBundle(b)
	if err := c.Build(context.Background()); err != nil {
		return answer{Errors: fromHost(toErrors(err))}
	}
	mods := c.Bundle().WasmModules
	if len(mods) != 1 {
		return answer{Errors: []compileError{{Code: "internal_error", Message: fmt.Sprintf("expected one wasm module, got %d", len(mods))}}}
	}
	return answer{Wasm: bytes.Clone(mods[0].Raw)}
}

func regoVersion(v string) ast.RegoVersion {
	if v == "v1" {
		return ast.RegoV1
	}
	return ast.RegoV0
}

// toErrors flattens OPA's error list, keeping each error's location, so the
// JVM side can say file, line and column.
func toErrors(err error) []compileError {
	var astErrs ast.Errors
	if errors.As(err, &astErrs) {
		out := make([]compileError, 0, len(astErrs))
		for _, e := range astErrs {
			ce := compileError{Code: e.Code, Message: e.Message}
			if e.Location != nil {
				ce.File, ce.Row, ce.Col = e.Location.File, e.Location.Row, e.Location.Col
			}
			out = append(out, ce)
		}
		return out
	}
	var astErr *ast.Error
	if errors.As(err, &astErr) {
		ce := compileError{Code: astErr.Code, Message: astErr.Message}
		if astErr.Location != nil {
			ce.File, ce.Row, ce.Col = astErr.Location.File, astErr.Location.Row, astErr.Location.Col
		}
		return []compileError{ce}
	}
	return []compileError{{Code: "compile_error", Message: err.Error()}}
}
