package opaeval

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The project's own templates and examples, evaluated by OPA's Go evaluator as Gatekeeper would.
var project = Sources{
	Templates:   []string{"../../constraint-templates"},
	Constraints: []string{"../../examples/constraints"},
	Data:        []string{"../../examples/data"},
}

func load(t *testing.T, src Sources) *Evaluator {
	t.Helper()
	e, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func review(t *testing.T, e *Evaluator, file string) []string {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Review(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDeniesThePodWithoutSeccompAsTheReadmeShows(t *testing.T) {
	e := load(t, project)
	if e.Templates() != 4 || e.Constraints != 3 || len(e.Problems) != 0 {
		t.Fatalf("%d templates, %d constraints, problems %v", e.Templates(), e.Constraints, e.Problems)
	}
	got := review(t, e, "../../examples/requests/pod-without-seccomp.json")
	if len(got) != 3 || !strings.HasPrefix(got[0], `[pods-require-seccomp-profile] container "metrics" has no seccomp profile`) ||
		!strings.HasPrefix(got[1], `[pods-require-seccomp-profile] container "nginx" has no seccomp profile`) ||
		!strings.HasPrefix(got[2], `[pods-require-seccomp-profile] initContainer "setup" has no seccomp profile`) {
		t.Errorf("violations: %q", got)
	}
}

func TestAllowsThePodWithSeccomp(t *testing.T) {
	if got := review(t, load(t, project), "../../examples/requests/pod-with-seccomp.json"); len(got) != 0 {
		t.Errorf("violations: %q", got)
	}
}

func TestOnlyConstraintsMatchingTheKindAndNamespaceAreEvaluated(t *testing.T) {
	e := load(t, project)
	if n := e.Matching("", "Pod", "demo"); n != 3 {
		t.Errorf("Pod in demo: %d constraints, want 3", n)
	}
	if n := e.Matching("apps", "Deployment", "demo"); n != 0 {
		t.Errorf("Deployment: %d constraints, want 0", n)
	}
	if n := e.Matching("", "Pod", "kube-system"); n != 0 { // all three exclude kube-system
		t.Errorf("Pod in kube-system: %d constraints, want 0", n)
	}
}

func TestDuplicateConstraintsAndMissingTemplatesAreReported(t *testing.T) {
	src := project
	src.Constraints = []string{"../../examples/constraints", "../../examples/constraints/k8srequiredseccompprofile.yaml"}
	src.Templates = []string{"../../constraint-templates/k8srequiredseccompprofile"}
	e := load(t, src)
	problems := strings.Join(e.Problems, "\n")
	if !strings.Contains(problems, "constraint K8sRequiredSeccompProfile/pods-require-seccomp-profile in ../../examples/constraints/k8srequiredseccompprofile.yaml replaces the one in") ||
		!strings.Contains(problems, "constraints of kind K8sAllowedAppArmorProfiles have no template") || e.Constraints != 3 {
		t.Errorf("%d constraints, problems:\n%s", e.Constraints, problems)
	}
	if got := review(t, e, "../../examples/requests/pod-without-seccomp.json"); len(got) != 3 {
		t.Errorf("the duplicate must be evaluated once: %q", got)
	}
}

func TestBenchCountsReviews(t *testing.T) {
	body, _ := os.ReadFile("../../examples/requests/pod-without-seccomp.json")
	run, err := load(t, project).Bench(context.Background(), body, 2, 200*time.Millisecond)
	if err != nil || run.Reviews == 0 || run.Goroutines != 2 || run.PerSecond <= 0 || run.LatencyUs <= 0 || run.CPUUs <= 0 {
		t.Errorf("%+v %v", run, err)
	}
	if _, err := load(t, project).Bench(context.Background(), []byte("{"), 1, time.Second); err == nil {
		t.Error("a broken review must stop the run with an error")
	}
}

// The comparison is only fair against the OPA that compiles Portcullis's policies.
func TestSameOpaVersionAsTheCompiler(t *testing.T) {
	re := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/open-policy-agent/opa (v\S+)`)
	versions := map[string]string{}
	for _, file := range []string{"../go.mod", "../../opa-compiler/go.mod"} {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindSubmatch(text)
		if m == nil {
			t.Fatalf("%s requires no OPA", file)
		}
		versions[file] = string(m[1])
	}
	if versions["../go.mod"] != versions["../../opa-compiler/go.mod"] {
		t.Errorf("OPA versions differ: %v", versions)
	}
}
