package k8sallowedselinuxoptions

import future.keywords.in

# Unit tests of src.rego, run by `portcullis rego-test policies/` with OPA's test runner: both violation rules
# (options outside allowedSELinuxOptions; no type under requireType) deny and allow, and the shared helpers
# (container options replace the pod's, templates, UPDATE, DELETE, Windows) have their own cases.

pod(spec) = {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

review(obj) = {"operation": "CREATE", "object": obj}

selinux(options) = {"seLinuxOptions": options}

c(name, options) = {"name": name, "securityContext": selinux(options)}

spc := {"allowedSELinuxOptions": [{"type": "spc_t"}, {"type": "*.process", "level": "s0"}]}

# --- rule 1: options outside allowedSELinuxOptions ------------------------------------------------------------

test_options_outside_allowed_denied {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", {"user": "system_u", "type": "container_t"})]})), "parameters": spc}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" has seLinuxOptions {user: system_u, type: container_t} from container securityContext, which match none of allowedSELinuxOptions"
}

test_options_matching_an_entry_allowed {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"type": "spc_t"})]})), "parameters": spc}
}

test_glob_star_matches_dots {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"type": "nginx_ns.process", "level": "s0"})]})), "parameters": spc}
}

test_fields_set_on_both_must_match {
  # *.process requires level s0; spc_t's entry does not match the type
  count(violation) == 1 with input as {"review": review(pod({"containers": [c("nginx", {"type": "nginx.process", "level": "s1"})]})), "parameters": spc}
}

test_fields_the_entry_leaves_out_are_free {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"type": "spc_t", "level": "s0:c1"})]})), "parameters": spc}
}

test_unset_options_not_restricted {
  count(violation) == 0 with input as {"review": review(pod({"containers": [{"name": "nginx"}, c("empty", {"type": ""})]})), "parameters": spc}
}

test_no_parameter_means_any_options {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"type": "anything_t"})]})), "parameters": {}}
}

test_empty_allowed_list_denies_any_set_option {
  count(violation) == 1 with input as {"review": review(pod({"containers": [c("nginx", {"type": "spc_t"})]})), "parameters": {"allowedSELinuxOptions": []}}
}

test_container_options_replace_pod_options {
  obj := pod({"securityContext": selinux({"type": "spc_t"}), "containers": [c("nginx", {"type": "container_t"}), {"name": "sidecar"}]})
  v := violation with input as {"review": review(obj), "parameters": spc}
  count(v) == 1
  some x in v
  x.details.container == "nginx"
  x.details.source == "from container securityContext"
  x.details.seLinuxOptions == {"type": "container_t"}
}

test_pod_options_apply_to_containers {
  obj := pod({"securityContext": selinux({"type": "container_t"}), "containers": [{"name": "a"}], "initContainers": [{"name": "b"}]})
  v := violation with input as {"review": review(obj), "parameters": spc}
  {x.details.container | some x in v} == {"a", "b"}
}

# --- rule 2: requireType ---------------------------------------------------------------------------------------

test_require_type_denies_missing_type {
  v := violation with input as {"review": review(pod({"containers": [{"name": "nginx"}]})), "parameters": {"requireType": true}}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" has no SELinux type, but requireType is true (seLinuxOptions: none set on the container or the pod)"
}

test_require_type_names_the_options_set {
  v := violation with input as {"review": review(pod({"securityContext": selinux({"level": "s0"}), "containers": [{"name": "nginx"}]})), "parameters": {"requireType": true}}
  some x in v
  endswith(x.msg, "(seLinuxOptions: {level: s0} from pod securityContext)")
}

test_require_type_allows_a_type {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"type": "spc_t"})]})), "parameters": {"requireType": true}}
}

test_require_type_false_allows_missing_type {
  count(violation) == 0 with input as {"review": review(pod({"containers": [{"name": "nginx"}]})), "parameters": {"requireType": false}}
}

# --- which objects and operations are checked ------------------------------------------------------------------

test_workload_templates_checked {
  sts := {"kind": "StatefulSet", "spec": {"template": {"spec": {"containers": [{"name": "db"}]}}}}
  count(violation) == 1 with input as {"review": review(sts), "parameters": {"requireType": true}}
}

test_windows_and_delete_skipped {
  windows := pod({"os": {"name": "windows"}, "containers": [{"name": "iis"}]})
  linux := pod({"containers": [{"name": "nginx"}]})
  count(violation) == 0 with input as {"review": review(windows), "parameters": {"requireType": true}}
  count(violation) == 0 with input as {"review": {"operation": "DELETE", "object": linux, "oldObject": linux}, "parameters": {"requireType": true}}
}

test_update_reports_only_changed_containers {
  old := pod({"containers": [{"name": "legacy"}]})
  new := pod({"containers": [{"name": "legacy"}, {"name": "added"}]})
  v := violation with input as {"review": {"operation": "UPDATE", "oldObject": old, "object": new}, "parameters": {"requireType": true}}
  {x.details.container | some x in v} == {"added"}
}
