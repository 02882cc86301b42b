package k8srequiredseccompprofile

import future.keywords.in

# Unit tests of src.rego, run by `portcullis rego-test policies/` with OPA's test runner. Each violation rule
# has a case that denies and one that allows; the helpers the rules share (effective profile, pod templates,
# UPDATE, DELETE, Windows) have their own cases.

pod(spec) = {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

review(obj) = {"operation": "CREATE", "object": obj}

profile(t) = {"seccompProfile": {"type": t}}

localhost(path) = {"seccompProfile": {"type": "Localhost", "localhostProfile": path}}

nginx(sc) = {"name": "nginx", "image": "nginx", "securityContext": sc}

# --- rule 1: no profile at all ------------------------------------------------------------------------------

test_unset_profile_denied {
  v := violation with input as {"review": review(pod({"containers": [{"name": "nginx"}]})), "parameters": {}}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" has no seccomp profile: seccompProfile is set neither on the container nor on the pod, so it would run Unconfined; allowed types: Localhost, RuntimeDefault"
  x.details.source == "unset"
}

test_unset_profile_allowed_when_unconfined_allowed {
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [{"name": "nginx"}]})),
    "parameters": {"allowedProfileTypes": ["Unconfined", "RuntimeDefault"]},
  }
}

test_pod_profile_covers_containers {
  count(violation) == 0 with input as {
    "review": review(pod({"securityContext": profile("RuntimeDefault"), "containers": [{"name": "a"}], "initContainers": [{"name": "b"}]})),
    "parameters": {},
  }
}

test_every_container_list_checked {
  v := violation with input as {
    "review": review(pod({"containers": [nginx(profile("RuntimeDefault"))], "initContainers": [{"name": "init"}], "ephemeralContainers": [{"name": "debug"}]})),
    "parameters": {},
  }
  {x.details.containerKind | some x in v} == {"initContainer", "ephemeralContainer"}
}

# --- rule 2: a type not allowed ------------------------------------------------------------------------------

test_disallowed_type_denied {
  v := violation with input as {"review": review(pod({"containers": [nginx(profile("Unconfined"))]})), "parameters": {}}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" uses seccomp profile type \"Unconfined\" (from container securityContext); allowed types: Localhost, RuntimeDefault"
}

test_allowed_type_allowed {
  count(violation) == 0 with input as {"review": review(pod({"containers": [nginx(profile("RuntimeDefault"))]})), "parameters": {}}
}

test_container_profile_wins_over_pod {
  v := violation with input as {
    "review": review(pod({"securityContext": profile("RuntimeDefault"), "containers": [nginx(profile("Unconfined"))]})),
    "parameters": {},
  }
  count(v) == 1
  some x in v
  x.details.source == "container securityContext"
}

test_empty_allowed_list_denies_everything {
  v := violation with input as {
    "review": review(pod({"containers": [nginx(profile("RuntimeDefault"))]})),
    "parameters": {"allowedProfileTypes": []},
  }
  some x in v
  contains(x.msg, "allowed types: none")
}

# --- rule 3: Localhost paths -----------------------------------------------------------------------------------

test_localhost_outside_globs_denied {
  v := violation with input as {
    "review": review(pod({"containers": [nginx(localhost("my/nginx.json"))]})),
    "parameters": {"allowedLocalhostProfiles": ["operator/*"]},
  }
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" uses seccomp localhost profile \"my/nginx.json\" (from container securityContext), which matches none of allowedLocalhostProfiles: operator/*"
}

test_localhost_matching_glob_allowed {
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [nginx(localhost("operator/nginx.json"))]})),
    "parameters": {"allowedLocalhostProfiles": ["operator/*"]},
  }
}

test_localhost_star_stays_in_one_segment {
  count(violation) == 1 with input as {
    "review": review(pod({"containers": [nginx(localhost("operator/ns/nginx.json"))]})),
    "parameters": {"allowedLocalhostProfiles": ["operator/*"]},
  }
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [nginx(localhost("operator/ns/nginx.json"))]})),
    "parameters": {"allowedLocalhostProfiles": ["operator/**"]},
  }
}

test_localhost_any_path_without_parameter {
  count(violation) == 0 with input as {"review": review(pod({"containers": [nginx(localhost("anything.json"))]})), "parameters": {}}
}

test_localhost_empty_list_accepts_none {
  count(violation) == 1 with input as {
    "review": review(pod({"containers": [nginx(localhost("operator/nginx.json"))]})),
    "parameters": {"allowedLocalhostProfiles": []},
  }
}

# --- which objects and operations are checked ------------------------------------------------------------------

test_workload_templates_checked {
  deployment := {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}
  cronjob := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job"}]}}}}}}
  count(violation) == 1 with input as {"review": review(deployment), "parameters": {}}
  count(violation) == 1 with input as {"review": review(cronjob), "parameters": {}}
}

test_other_kinds_ignored {
  count(violation) == 0 with input as {"review": review({"kind": "ConfigMap", "data": {"a": "b"}}), "parameters": {}}
}

test_windows_pod_skipped {
  count(violation) == 0 with input as {"review": review(pod({"os": {"name": "windows"}, "containers": [{"name": "iis"}]})), "parameters": {}}
}

test_delete_never_denied {
  count(violation) == 0 with input as {
    "review": {"operation": "DELETE", "oldObject": pod({"containers": [{"name": "nginx"}]}), "object": pod({"containers": [{"name": "nginx"}]})},
    "parameters": {},
  }
}

test_update_reports_only_changed_containers {
  old := pod({"containers": [{"name": "legacy"}]})
  new := pod({"containers": [{"name": "legacy"}, {"name": "added"}]})
  v := violation with input as {"review": {"operation": "UPDATE", "oldObject": old, "object": new}, "parameters": {}}
  {x.details.container | some x in v} == {"added"}
}
