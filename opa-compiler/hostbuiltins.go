package main

import (
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"
)

// rewriteRevision changes whenever what the compiler does to OPA's output changes
// (the calls redirected here, or what outline reports): it goes into the version,
// and so into every cache key (compiled modules and outlines alike).
const rewriteRevision = "2"

// OPA's wasm runtime implements replace and strings.replace_n itself (in its C
// library), and on an empty old string both go wrong: replace never advances, so
// the evaluation spins until its deadline where OPA's Go evaluator (and so
// Gatekeeper) answers at once, and strings.replace_n splits multi-byte characters
// as Go does, but hands the JVM their bytes as invalid UTF-8. The gatekeeper-library's
// quantity parsing calls replace(orig, suffix, "") with an empty suffix for a value
// such as "1K". Calls whose old strings may be empty go to builtins of these names
// instead; the wasm runtime does not know them, so it imports them from the host,
// and the JVM implements them with Go's semantics.
var hostBuiltins = map[string]*ast.Builtin{
	ast.Replace.Name:  {Name: "portcullis.replace", Decl: ast.Replace.Decl},
	ast.ReplaceN.Name: {Name: "portcullis.replace_n", Decl: ast.ReplaceN.Decl},
}

// hostNames lists the redirected builtins in a fixed order, longest host name
// first (portcullis.replace is a prefix of portcullis.replace_n).
var hostNames = []string{ast.ReplaceN.Name, ast.Replace.Name}

// externalData is Gatekeeper's external_data builtin, declared as its Rego driver declares it
// (one argument of any type, any result). OPA's wasm runtime does not know it, so the module imports
// it from the host, where the JVM asks the Provider (io.portcullis.externaldata).
var externalData = &ast.Builtin{
	Name: "external_data",
	Decl: types.NewFunction(types.Args(types.A), types.A),
}

// withHostBuiltins declares the host builtins, with the types of the builtins they stand for, and
// external_data.
func withHostBuiltins(caps *ast.Capabilities) *ast.Capabilities {
	for _, name := range hostNames {
		caps.Builtins = append(caps.Builtins, hostBuiltins[name])
	}
	caps.Builtins = append(caps.Builtins, externalData)
	return caps
}

// redirectToHost renames the calls whose old strings may be empty to the host
// builtins; replace(s, "m", "") and strings.replace_n({"a": "b"}, s) keep OPA's
// native implementation. A module that defines or imports a function of such a
// name, or mocks one with `with`, is left alone: its calls may not be the builtin's.
func redirectToHost(modules []*ast.Module) {
	shadowed := map[string]bool{}
	for _, m := range modules {
		for _, r := range m.Rules {
			if ref := r.Head.Ref(); len(ref) > 0 && redirected(ast.Ref{ref[0]}) {
				shadowed[m.Package.Path.String()] = true
			}
		}
	}
	for _, m := range modules {
		if shadowed[m.Package.Path.String()] || importsOrMocks(m) {
			continue
		}
		ast.NewGenericVisitor(func(x any) bool {
			switch v := x.(type) {
			case *ast.Expr:
				if terms, ok := v.Terms.([]*ast.Term); ok {
					redirectCall(terms)
				}
			case ast.Call:
				redirectCall(v)
			}
			return false
		}).Walk(m)
	}
}

// redirected says whether ref names one of the builtins that are redirected.
func redirected(ref ast.Ref) bool {
	return hostBuiltins[ref.String()] != nil
}

func importsOrMocks(m *ast.Module) bool {
	for _, imp := range m.Imports {
		if redirected(ast.Ref{ast.NewTerm(imp.Name())}) {
			return true
		}
	}
	mocks := false
	ast.WalkWiths(m, func(w *ast.With) bool {
		if ref, ok := w.Target.Value.(ast.Ref); ok && redirected(ref) {
			mocks = true
		}
		return mocks
	})
	return mocks
}

func redirectCall(terms []*ast.Term) {
	if len(terms) == 0 {
		return
	}
	ref, ok := terms[0].Value.(ast.Ref)
	if !ok || !redirected(ref) {
		return
	}
	name := ref.String()
	if name == ast.Replace.Name && len(terms) > 2 && nonEmptyString(terms[2].Value) {
		return
	}
	if name == ast.ReplaceN.Name && len(terms) > 1 && nonEmptyKeys(terms[1].Value) {
		return
	}
	terms[0] = &ast.Term{Value: ast.MustParseRef(hostBuiltins[name].Name), Location: terms[0].Location}
}

func nonEmptyString(v ast.Value) bool {
	s, ok := v.(ast.String)
	return ok && s != ""
}

// nonEmptyKeys: an object literal whose keys are all non-empty string literals.
func nonEmptyKeys(v ast.Value) bool {
	obj, ok := v.(ast.Object)
	if !ok {
		return false
	}
	all := true
	obj.Foreach(func(k, _ *ast.Term) {
		all = all && nonEmptyString(k.Value)
	})
	return all
}

// fromHost words errors about a host builtin as OPA words them about the builtin
// it stands for, which is what the policy wrote.
func fromHost(errs []compileError) []compileError {
	for i := range errs {
		for _, name := range hostNames {
			errs[i].Message = strings.ReplaceAll(errs[i].Message, hostBuiltins[name].Name, name)
		}
	}
	return errs
}
