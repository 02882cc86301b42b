package main

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/version"
)

type evalRequest struct {
	Query   string         `json:"query"`
	Modules []module       `json:"modules"`
	Input   any            `json:"input"`
	Data    map[string]any `json:"data"`
	// StrictBuiltinErrors makes a failing builtin an error instead of undefined.
	StrictBuiltinErrors bool `json:"strictBuiltinErrors"`
	// ValueInput hands OPA the input as Gatekeeper's Rego driver hands it the review: the Go value that
	// encoding/json decoded (every number a float64), through ast.InterfaceToValue, so 1e9 reads 1e+09.
	// Without it, rego.Input first round-trips the value through JSON, and 1e9 reads 1000000000.
	ValueInput bool `json:"valueInput"`
}

type evalAnswer struct {
	Results    []map[string]any `json:"results"`
	OpaVersion string           `json:"opaVersion"`
	Errors     []compileError   `json:"errors,omitempty"`
}

func evaluate(req evalRequest) evalAnswer {
	opts := []func(*rego.Rego){
		rego.Query(req.Query),
		rego.SetRegoVersion(ast.RegoV0CompatV1),
		rego.StrictBuiltinErrors(req.StrictBuiltinErrors),
	}
	for _, m := range req.Modules {
		parsed, err := ast.ParseModuleWithOpts(m.Name, m.Source, ast.ParserOptions{RegoVersion: regoVersion(m.RegoVersion)})
		if err != nil {
			return evalAnswer{Errors: toErrors(err)}
		}
		opts = append(opts, rego.ParsedModule(parsed))
	}
	if req.Input != nil && req.ValueInput {
		input, err := ast.InterfaceToValue(req.Input)
		if err != nil {
			return evalAnswer{Errors: toErrors(err)}
		}
		opts = append(opts, rego.ParsedInput(input))
	} else if req.Input != nil {
		opts = append(opts, rego.Input(req.Input))
	}
	if req.Data != nil {
		opts = append(opts, rego.Store(inmem.NewFromObject(req.Data)))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		return evalAnswer{Errors: toErrors(err)}
	}
	out := evalAnswer{Results: []map[string]any{}, OpaVersion: version.Version}
	for _, r := range rs {
		out.Results = append(out.Results, r.Bindings)
	}
	return out
}
