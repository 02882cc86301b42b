// Package opaeval evaluates ConstraintTemplates and their constraints with OPA's Go evaluator the way Gatekeeper's
// constraint framework does, as the yardstick bin/loadtest compares Portcullis with.
//
// As in the framework's Rego driver (frameworks/constraint/pkg/client/drivers/rego): each template gets its own
// compiler holding its Rego, its libs and the framework's hook module; the constraints' parameters sit in the
// store at data.constraints[kind][name] and the inventory at data.inventory; a review runs one query per template,
// data.hooks.violation[result], whose input lists that template's matching constraints, and the hook evaluates the
// template once per constraint "with input as {"review": ..., "parameters": ...}". Unlike the framework, which
// builds a new rego.Rego per query, the queries are prepared once (rego.PrepareForEval), as a tuned deployment
// would: the figures are OPA's evaluation, not its query compilation.
//
// Simplification: constraints are matched on spec.match.kinds, .namespaces and .excludedNamespaces only;
// labelSelector, namespaceSelector, scope and name are ignored (a constraint using them is evaluated as if they
// matched, which can only add work on this side).
package opaeval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// hookRego is the framework's hook module (drivers/rego/rego.go), with the template's own package in place of
// data.template (the framework renames each template's package to "template"; here every template has a
// compiler of its own, so the original name is as good).
const hookRego = `package hooks

violation[response] {
  key := input.constraints[_]
  inp := {
    "review": input.review,
    "parameters": data.constraints[key.kind][key.name],
  }
  %s.violation[r] with input as inp
  response := {
    "key": key,
    "details": object.get(r, "details", {}),
    "msg": r.msg,
  }
}
`

// Sources are the directories (or files) read, as given to "portcullis serve".
type Sources struct {
	Templates   []string
	Constraints []string
	Data        []string
}

// Evaluator holds the prepared query of every template and the constraints to match.
type Evaluator struct {
	templates  []*template
	namespaces map[string]any // Namespace objects by name, for input.review.namespaceObject
	// Constraints is the number of constraints loaded (a kind/name defined twice counts once, as in Portcullis).
	Constraints int
	// Problems are templates and constraints that were left out, and constraints defined twice.
	Problems []string
}

type template struct {
	kind        string
	query       rego.PreparedEvalQuery
	constraints []constraint
}

type constraint struct {
	key   map[string]any // {"kind": ..., "name": ...}, the hook's input.constraints[_]
	match match
}

// Load reads and compiles everything; problems with single templates or constraints are reported in Problems,
// as the server reports them, and the rest loads.
func Load(ctx context.Context, src Sources) (*Evaluator, error) {
	e := &Evaluator{namespaces: map[string]any{}}
	templates, err := readManifests(src.Templates)
	if err != nil {
		return nil, err
	}
	constraints, err := readManifests(src.Constraints)
	if err != nil {
		return nil, err
	}
	data, err := readManifests(src.Data)
	if err != nil {
		return nil, err
	}

	parameters := map[string]any{} // data.constraints[kind][name]
	byKind := map[string][]constraint{}
	seen := map[string]string{}
	for _, m := range constraints {
		if group(text(m.object, "apiVersion")) != "constraints.gatekeeper.sh" {
			continue
		}
		kind, name := text(m.object, "kind"), text(m.object, "metadata", "name")
		id := kind + "/" + name
		if earlier, ok := seen[id]; ok {
			// Keyed by kind and name, the later file wins, in the framework's store as in Portcullis.
			e.Problems = append(e.Problems, fmt.Sprintf("constraint %s in %s replaces the one in %s", id, m.file, earlier))
			byKind[kind] = slices.DeleteFunc(byKind[kind], func(c constraint) bool { return c.key["name"] == name })
		} else {
			e.Constraints++
		}
		seen[id] = m.file
		params := at(m.object, "spec", "parameters")
		if params == nil {
			params = map[string]any{}
		}
		if parameters[kind] == nil {
			parameters[kind] = map[string]any{}
		}
		parameters[kind].(map[string]any)[name] = params
		byKind[kind] = append(byKind[kind], constraint{
			key:   map[string]any{"kind": kind, "name": name},
			match: parseMatch(at(m.object, "spec", "match")),
		})
	}

	store := inmem.NewFromObject(map[string]any{
		"constraints": parameters,
		"inventory":   e.inventory(data),
	})
	for _, m := range templates {
		if text(m.object, "kind") != "ConstraintTemplate" {
			continue
		}
		t, err := compile(ctx, m.object, store)
		if err != nil {
			e.Problems = append(e.Problems, fmt.Sprintf("%s: %v", m.file, err))
			continue
		}
		t.constraints = byKind[t.kind]
		e.templates = append(e.templates, t)
	}
	for kind := range byKind {
		if !slices.ContainsFunc(e.templates, func(t *template) bool { return t.kind == kind }) {
			e.Problems = append(e.Problems, fmt.Sprintf("constraints of kind %s have no template", kind))
		}
	}
	sort.Strings(e.Problems)
	return e, nil
}

// Templates is the number of templates compiled.
func (e *Evaluator) Templates() int {
	return len(e.templates)
}

// inventory is data.inventory as Gatekeeper syncs it: cluster[apiVersion][kind][name] and
// namespace[ns][apiVersion][kind][name]. Namespaces are also kept for input.review.namespaceObject.
func (e *Evaluator) inventory(objects []manifest) map[string]any {
	cluster, namespaced := map[string]any{}, map[string]any{}
	for _, m := range objects {
		apiVersion, kind := text(m.object, "apiVersion"), text(m.object, "kind")
		name, ns := text(m.object, "metadata", "name"), text(m.object, "metadata", "namespace")
		if kind == "Namespace" && apiVersion == "v1" {
			e.namespaces[name] = m.object
		}
		root := cluster
		if ns != "" {
			root = child(namespaced, ns)
		}
		child(child(root, apiVersion), kind)[name] = m.object
	}
	return map[string]any{"cluster": cluster, "namespace": namespaced}
}

func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

// compile prepares the hook query of one template, with the template's Rego chosen as Portcullis's
// TemplateParser does: a non-empty legacy "rego" (with "libs", Rego v0), else the code[] entry of engine Rego
// (v1 when its source says version "v1").
func compile(ctx context.Context, object map[string]any, store storage.Store) (*template, error) {
	kind := text(object, "spec", "crd", "spec", "names", "kind")
	targets, _ := at(object, "spec", "targets").([]any)
	if kind == "" || len(targets) == 0 {
		return nil, fmt.Errorf("ConstraintTemplate %s has no kind or no target", text(object, "metadata", "name"))
	}
	target := targets[0]
	src, libs, version := text(target, "rego"), strs(at(target, "libs")), ast.RegoV0
	if src == "" {
		code, _ := at(target, "code").([]any)
		for _, c := range code {
			if text(c, "engine") == "Rego" {
				src, libs = text(c, "source", "rego"), strs(at(c, "source", "libs"))
				if text(c, "source", "version") == "v1" {
					version = ast.RegoV1
				}
				break
			}
		}
	}
	if src == "" {
		return nil, fmt.Errorf("template %s has no Rego", kind)
	}
	opts := ast.ParserOptions{RegoVersion: version}
	main, err := ast.ParseModuleWithOpts(kind+"/template.rego", src, opts)
	if err != nil {
		return nil, err
	}
	modules := map[string]*ast.Module{kind + "/template.rego": main}
	for i, lib := range libs {
		name := fmt.Sprintf("%s/lib%d.rego", kind, i)
		if modules[name], err = ast.ParseModuleWithOpts(name, lib, opts); err != nil {
			return nil, err
		}
	}
	hook, err := ast.ParseModuleWithOpts("hooks.rego", fmt.Sprintf(hookRego, main.Package.Path.String()),
		ast.ParserOptions{RegoVersion: ast.RegoV0})
	if err != nil {
		return nil, err
	}
	modules["hooks.rego"] = hook
	compiler := ast.NewCompiler()
	if compiler.Compile(modules); compiler.Failed() {
		return nil, compiler.Errors
	}
	query, err := rego.New(
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Query("data.hooks.violation[result]"),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &template{kind: kind, query: query}, nil
}

// Review evaluates one AdmissionReview (the bytes of an HTTP request body) and returns its violations.
func (e *Evaluator) Review(ctx context.Context, body []byte) ([]string, error) {
	var admission struct {
		Request map[string]any `json:"request"`
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	if err := decoder.Decode(&admission); err != nil {
		return nil, fmt.Errorf("not an AdmissionReview: %w", err)
	}
	review := admission.Request
	if review == nil {
		return nil, fmt.Errorf("the AdmissionReview has no request")
	}
	ns := text(review, "namespace")
	// As the framework does, namespaceObject is always there: the Namespace, or null.
	review["namespaceObject"] = e.namespaces[ns]
	g, k := text(review, "kind", "group"), text(review, "kind", "kind")

	var violations []string
	for _, t := range e.templates {
		var keys []any
		for _, c := range t.constraints {
			if c.match.matches(g, k, ns) {
				keys = append(keys, c.key)
			}
		}
		if len(keys) == 0 {
			continue
		}
		results, err := t.query.Eval(ctx, rego.EvalInput(map[string]any{"constraints": keys, "review": review}))
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.kind, err)
		}
		for _, r := range results {
			key, _ := at(r.Bindings["result"], "key", "name").(string)
			violations = append(violations, fmt.Sprintf("[%s] %s", key, text(r.Bindings["result"], "msg")))
		}
	}
	sort.Strings(violations)
	return violations, nil
}

// Matching is the number of constraints a review is evaluated against.
func (e *Evaluator) Matching(group, kind, namespace string) int {
	n := 0
	for _, t := range e.templates {
		for _, c := range t.constraints {
			if c.match.matches(group, kind, namespace) {
				n++
			}
		}
	}
	return n
}

// match is the part of a constraint's spec.match used here.
type match struct {
	kinds      []kindSelector // empty: every kind
	namespaces []string       // empty: every namespace
	excluded   []string
}

type kindSelector struct {
	groups, kinds []string
}

func parseMatch(value any) match {
	var m match
	list, _ := at(value, "kinds").([]any)
	for _, k := range list {
		m.kinds = append(m.kinds, kindSelector{groups: strs(at(k, "apiGroups")), kinds: strs(at(k, "kinds"))})
	}
	m.namespaces = strs(at(value, "namespaces"))
	m.excluded = strs(at(value, "excludedNamespaces"))
	return m
}

func (m match) matches(group, kind, namespace string) bool {
	if len(m.kinds) > 0 && !slices.ContainsFunc(m.kinds, func(s kindSelector) bool {
		return (anyOf(s.groups, group) || len(s.groups) == 0) && (anyOf(s.kinds, kind) || len(s.kinds) == 0)
	}) {
		return false
	}
	if namespace != "" {
		if len(m.namespaces) > 0 && !globAny(m.namespaces, namespace) {
			return false
		}
		if globAny(m.excluded, namespace) {
			return false
		}
	}
	return true
}

func anyOf(values []string, v string) bool {
	for _, x := range values {
		if x == v || x == "*" {
			return true
		}
	}
	return false
}

// globAny: Gatekeeper's namespace patterns, exact or with one leading or trailing "*".
func globAny(patterns []string, v string) bool {
	for _, p := range patterns {
		switch {
		case p == v:
			return true
		case strings.HasSuffix(p, "*") && strings.HasPrefix(v, strings.TrimSuffix(p, "*")):
			return true
		case strings.HasPrefix(p, "*") && strings.HasSuffix(v, strings.TrimPrefix(p, "*")):
			return true
		}
	}
	return false
}
