package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// `opa-wasm-compiler outline` parses modules with OPA's own parser and reports
// what Gatekeeper's template checks look at: the package, the imports, the
// top-level rules and the shape of their heads, the references rooted at
// data, and calls to http.send — each with its line and column. A module that
// does not parse gets its parse errors instead.
//
//	request:  {"modules":[{"name":"t.rego","source":"...","regoVersion":"v0"}]}
//	answer:   {"outlines":[{"package":["k8s"],"imports":[...],"rules":[...],"dataRefs":[...],"httpSend":[...]}]}

type position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type outlineImport struct {
	Path []string `json:"path"`
	At   position `json:"at"`
}

type outlineRule struct {
	Name string   `json:"name"`
	Head string   `json:"head"` // PARTIAL_SET, PARTIAL_OBJECT, FUNCTION or COMPLETE
	At   position `json:"at"`
}

type outlineRef struct {
	ConstantPrefix []string `json:"constantPrefix"`
	Text           string   `json:"text"`
	At             position `json:"at"`
}

type moduleOutline struct {
	Package  []string        `json:"package,omitempty"`
	At       position        `json:"at"`
	Imports  []outlineImport `json:"imports"`
	Rules    []outlineRule   `json:"rules"`
	DataRefs []outlineRef    `json:"dataRefs"`
	HTTPSend []position      `json:"httpSend"`
	Errors   []compileError  `json:"errors,omitempty"`
}

type outlineRequest struct {
	Modules []module `json:"modules"`
}

type outlineAnswer struct {
	Outlines   []moduleOutline `json:"outlines"`
	OpaVersion string          `json:"opaVersion"`
}

func outline(req outlineRequest) outlineAnswer {
	out := outlineAnswer{Outlines: []moduleOutline{}}
	for _, m := range req.Modules {
		parsed, err := ast.ParseModuleWithOpts(m.Name, m.Source, ast.ParserOptions{RegoVersion: regoVersion(m.RegoVersion)})
		if err != nil {
			out.Outlines = append(out.Outlines, moduleOutline{Errors: toErrors(err)})
			continue
		}
		if parsed == nil {
			out.Outlines = append(out.Outlines, moduleOutline{Errors: []compileError{{Code: "rego_parse_error", Message: "empty module", File: m.Name}}})
			continue
		}
		out.Outlines = append(out.Outlines, outlineOf(parsed))
	}
	return out
}

func outlineOf(mod *ast.Module) moduleOutline {
	o := moduleOutline{Imports: []outlineImport{}, Rules: []outlineRule{}, DataRefs: []outlineRef{}, HTTPSend: []position{}}
	o.Package = segments(mod.Package.Path[1:]) // without the leading "data"
	o.At = at(mod.Package.Location)
	for _, imp := range mod.Imports {
		if ref, ok := imp.Path.Value.(ast.Ref); ok {
			o.Imports = append(o.Imports, outlineImport{Path: segments(ref), At: at(imp.Location)})
		} else {
			o.Imports = append(o.Imports, outlineImport{Path: []string{imp.Path.String()}, At: at(imp.Location)})
		}
	}
	for _, rule := range mod.Rules {
		o.Rules = append(o.Rules, outlineRule{Name: rule.Head.Ref()[0].Value.(ast.Var).String(), Head: headKind(rule.Head), At: at(rule.Location)})
		// Rule bodies, else branches, heads (values, keys, args) may all read data.
		ast.WalkTerms(rule, func(t *ast.Term) bool {
			switch v := t.Value.(type) {
			case ast.Ref:
				if v.HasPrefix(ast.DefaultRootRef) {
					o.DataRefs = append(o.DataRefs, outlineRef{ConstantPrefix: constantPrefix(v), Text: v.String(), At: at(t.Location)})
				}
			case ast.Call:
				if len(v) > 0 && v[0].String() == "http.send" {
					o.HTTPSend = append(o.HTTPSend, at(t.Location))
				}
			}
			return false
		})
		ast.WalkExprs(rule, func(e *ast.Expr) bool {
			if e.IsCall() && e.Operator().String() == "http.send" {
				o.HTTPSend = append(o.HTTPSend, at(e.Location))
			}
			return false
		})
	}
	return o
}

func headKind(h *ast.Head) string {
	switch {
	case len(h.Args) > 0:
		return "FUNCTION"
	case h.RuleKind() == ast.MultiValue:
		return "PARTIAL_SET"
	case len(h.Ref()) > 1 || (h.Key != nil && h.Value != nil):
		// foo[k] = v, and v1's foo[k] if / foo.bar := v: rules that build an object.
		return "PARTIAL_OBJECT"
	default:
		return "COMPLETE"
	}
}

// segments renders a reference as path segments: data.lib.foo -> [data lib foo].
func segments(ref ast.Ref) []string {
	out := make([]string, 0, len(ref))
	for _, t := range ref {
		switch v := t.Value.(type) {
		case ast.Var:
			out = append(out, string(v))
		case ast.String:
			out = append(out, string(v))
		default:
			out = append(out, t.String())
		}
	}
	return out
}

// constantPrefix is the leading constant part of a data reference:
// data.inventory.namespace[ns] -> [data inventory namespace].
func constantPrefix(ref ast.Ref) []string {
	out := []string{"data"}
	for _, t := range ref[1:] {
		s, ok := t.Value.(ast.String)
		if !ok {
			break
		}
		out = append(out, string(s))
	}
	return out
}

func at(loc *ast.Location) position {
	if loc == nil {
		return position{}
	}
	return position{Line: loc.Row, Column: loc.Col}
}
