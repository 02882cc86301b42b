package k8sallowedapparmorprofiles

import future.keywords.in

# Unit tests of src.rego, run by `portcullis rego-test policies/` with OPA's test runner: the one violation
# rule denies and allows for each place a profile can come from (container field, annotation, pod field,
# runtime default, in the kubelet's order), and the shared helpers (templates, UPDATE, DELETE, Windows).

pod(spec) = {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

annotated_pod(annotations, spec) = {"kind": "Pod", "metadata": {"name": "p", "annotations": annotations}, "spec": spec}

review(obj) = {"operation": "CREATE", "object": obj}

apparmor(t) = {"appArmorProfile": {"type": t}}

localhost(name) = {"appArmorProfile": {"type": "Localhost", "localhostProfile": name}}

c(name, sc) = {"name": name, "securityContext": sc}

test_unset_is_runtime_default_and_allowed_by_default {
  count(violation) == 0 with input as {"review": review(pod({"containers": [{"name": "nginx"}]})), "parameters": {}}
}

test_unset_denied_when_runtime_default_not_allowed {
  v := violation with input as {
    "review": review(pod({"containers": [{"name": "nginx"}]})),
    "parameters": {"allowedProfiles": ["localhost/*"]},
  }
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" uses AppArmor profile \"runtime/default\" (unset, so the runtime default applies), which is not in allowedProfiles: localhost/*"
}

test_unconfined_field_denied_by_default {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", apparmor("Unconfined"))]})), "parameters": {}}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" uses AppArmor profile \"unconfined\" (from container securityContext), which is not in allowedProfiles: runtime/default, localhost/*"
}

test_unconfined_allowed_when_listed {
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [c("nginx", apparmor("Unconfined"))]})),
    "parameters": {"allowedProfiles": ["unconfined"]},
  }
}

test_localhost_field_matches_glob {
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [c("nginx", localhost("k8s-nginx"))]})),
    "parameters": {"allowedProfiles": ["localhost/k8s-*"]},
  }
  count(violation) == 1 with input as {
    "review": review(pod({"containers": [c("nginx", localhost("other"))]})),
    "parameters": {"allowedProfiles": ["localhost/k8s-*"]},
  }
}

test_annotation_used_when_container_field_unset {
  obj := annotated_pod({"container.apparmor.security.beta.kubernetes.io/nginx": "unconfined"}, {"containers": [{"name": "nginx"}]})
  v := violation with input as {"review": review(obj), "parameters": {}}
  some x in v
  x.details.source == "from annotation container.apparmor.security.beta.kubernetes.io/nginx"
  x.details.profile == "unconfined"
}

test_container_field_wins_over_annotation {
  obj := annotated_pod({"container.apparmor.security.beta.kubernetes.io/nginx": "unconfined"}, {"containers": [c("nginx", apparmor("RuntimeDefault"))]})
  count(violation) == 0 with input as {"review": review(obj), "parameters": {}}
}

test_annotation_wins_over_pod_field {
  obj := annotated_pod({"container.apparmor.security.beta.kubernetes.io/nginx": "runtime/default"}, {"securityContext": apparmor("Unconfined"), "containers": [{"name": "nginx"}]})
  count(violation) == 0 with input as {"review": review(obj), "parameters": {}}
}

test_pod_field_applies_to_containers {
  v := violation with input as {"review": review(pod({"securityContext": apparmor("Unconfined"), "containers": [{"name": "a"}], "initContainers": [{"name": "b"}]})), "parameters": {}}
  {x.details.container | some x in v} == {"a", "b"}
  {x.details.source | some x in v} == {"from pod securityContext"}
}

test_unknown_type_matches_nothing {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", apparmor("Bogus"))]})), "parameters": {"allowedProfiles": ["runtime/default"]}}
  some x in v
  x.details.profile == "Bogus"
}

test_star_spans_slashes {
  count(violation) == 0 with input as {
    "review": review(pod({"containers": [c("nginx", localhost("a/b"))]})),
    "parameters": {"allowedProfiles": ["localhost/*"]},
  }
}

test_empty_list_denies_everything {
  v := violation with input as {"review": review(pod({"containers": [{"name": "nginx"}]})), "parameters": {"allowedProfiles": []}}
  some x in v
  endswith(x.msg, "which is not in allowedProfiles: none")
}

test_workload_templates_checked {
  job := {"kind": "Job", "spec": {"template": {"spec": {"containers": [c("job", apparmor("Unconfined"))]}}}}
  cronjob := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [c("job", apparmor("Unconfined"))]}}}}}}
  count(violation) == 1 with input as {"review": review(job), "parameters": {}}
  count(violation) == 1 with input as {"review": review(cronjob), "parameters": {}}
}

test_windows_and_delete_skipped {
  windows := pod({"os": {"name": "windows"}, "containers": [c("iis", apparmor("Unconfined"))]})
  unconfined := pod({"containers": [c("nginx", apparmor("Unconfined"))]})
  count(violation) == 0 with input as {"review": review(windows), "parameters": {}}
  count(violation) == 0 with input as {"review": {"operation": "DELETE", "object": unconfined, "oldObject": unconfined}, "parameters": {}}
}

test_update_reports_only_changed_containers {
  old := pod({"containers": [c("legacy", apparmor("Unconfined"))]})
  new := pod({"containers": [c("legacy", apparmor("Unconfined")), c("added", apparmor("Unconfined"))]})
  v := violation with input as {"review": {"operation": "UPDATE", "oldObject": old, "object": new}, "parameters": {}}
  {x.details.container | some x in v} == {"added"}
}
