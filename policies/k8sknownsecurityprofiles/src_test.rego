package k8sknownsecurityprofiles

import future.keywords.in

# Unit tests of src.rego, run by `portcullis rego-test policies/` with OPA's test runner. The one violation rule
# denies a reference no synced SPO object provides and allows one that is provided or exempt, for each kind of
# reference (seccomp, AppArmor, SELinux); the inventory is given with `with data.inventory as`, in the shape
# Gatekeeper syncs it (cluster[groupVersion][kind][name], namespace[ns][groupVersion][kind][name]).

spo := "security-profiles-operator.x-k8s.io/v1beta1"

pod(spec) = {"kind": "Pod", "metadata": {"name": "p", "namespace": "apps"}, "spec": spec}

review(obj) = {"operation": "CREATE", "object": obj}

seccomp(path) = {"seccompProfile": {"type": "Localhost", "localhostProfile": path}}

apparmor(name) = {"appArmorProfile": {"type": "Localhost", "localhostProfile": name}}

selinux(t) = {"seLinuxOptions": {"type": t}}

c(name, sc) = {"name": name, "securityContext": sc}

cluster_inventory(kind, objects) = {"cluster": {spo: {kind: {o.metadata.name: o | some o in objects}}}}

# --- seccomp --------------------------------------------------------------------------------------------------

test_unknown_seccomp_profile_denied {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", seccomp("operator/nginx.json"))]})), "parameters": {}}
    with data.inventory as {}
  count(v) == 1
  some x in v
  x.msg == "container \"nginx\" references seccomp profile \"operator/nginx.json\" (from container securityContext), but no SeccompProfile provides it"
}

test_seccomp_profile_known_by_status {
  inv := cluster_inventory("SeccompProfile", [{"metadata": {"name": "web"}, "status": {"localhostProfile": "operator/custom/web.json"}}])
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", seccomp("operator/custom/web.json"))]})), "parameters": {}}
    with data.inventory as inv
}

test_seccomp_path_computed_for_cluster_scoped_profile {
  inv := cluster_inventory("SeccompProfile", [{"metadata": {"name": "nginx"}}])
  count(violation) == 0 with input as {"review": review(pod({"securityContext": seccomp("operator/nginx.json"), "containers": [{"name": "nginx"}]})), "parameters": {}}
    with data.inventory as inv
}

test_seccomp_path_computed_for_namespaced_profile {
  inv := {"namespace": {"apps": {spo: {"SeccompProfile": {"nginx": {"metadata": {"name": "nginx", "namespace": "apps"}}}}}}}
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", seccomp("operator/apps/nginx.json"))]})), "parameters": {}}
    with data.inventory as inv
  # the same profile does not provide the cluster-scoped path
  count(violation) == 1 with input as {"review": review(pod({"containers": [c("nginx", seccomp("operator/nginx.json"))]})), "parameters": {}}
    with data.inventory as inv
}

test_objects_of_other_groups_provide_nothing {
  inv := {"cluster": {"example.com/v1": {"SeccompProfile": {"nginx": {"metadata": {"name": "nginx"}}}}}}
  count(violation) == 1 with input as {"review": review(pod({"containers": [c("nginx", seccomp("operator/nginx.json"))]})), "parameters": {}}
    with data.inventory as inv
}

test_exempt_seccomp_profile_allowed {
  params := {"exemptSeccompProfiles": ["profiles/*"]}
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", seccomp("profiles/audit.json"))]})), "parameters": params}
    with data.inventory as {}
  # `*` stays within one path segment
  count(violation) == 1 with input as {"review": review(pod({"containers": [c("nginx", seccomp("profiles/x/audit.json"))]})), "parameters": params}
    with data.inventory as {}
}

test_runtime_default_is_no_reference {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", {"seccompProfile": {"type": "RuntimeDefault"}})]})), "parameters": {}}
    with data.inventory as {}
}

# --- AppArmor -------------------------------------------------------------------------------------------------

test_unknown_apparmor_profile_denied {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", apparmor("k8s-nginx"))]})), "parameters": {}}
    with data.inventory as {}
  some x in v
  x.msg == "container \"nginx\" references AppArmor profile \"k8s-nginx\" (from container securityContext), but no AppArmorProfile has that name"
}

test_apparmor_profile_known_by_name {
  inv := cluster_inventory("AppArmorProfile", [{"metadata": {"name": "k8s-nginx"}}])
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", apparmor("k8s-nginx"))]})), "parameters": {}}
    with data.inventory as inv
}

test_apparmor_annotation_checked {
  obj := {"kind": "Pod", "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/nginx": "localhost/k8s-nginx"}}, "spec": {"containers": [{"name": "nginx"}]}}
  v := violation with input as {"review": review(obj), "parameters": {}} with data.inventory as {}
  some x in v
  x.details == {"owner": "container \"nginx\"", "type": "apparmor", "reference": "k8s-nginx", "source": "annotation"}
  count(violation) == 0 with input as {"review": review(obj), "parameters": {"exemptAppArmorProfiles": ["k8s-*"]}} with data.inventory as {}
}

# --- SELinux --------------------------------------------------------------------------------------------------

test_unknown_selinux_type_denied {
  v := violation with input as {"review": review(pod({"containers": [c("nginx", selinux("nginx_apps.process"))]})), "parameters": {}}
    with data.inventory as {}
  some x in v
  x.msg == "container \"nginx\" references SELinux type \"nginx_apps.process\" (from container securityContext), but no SelinuxProfile or RawSelinuxProfile provides it"
}

test_selinux_type_known_from_profiles {
  namespaced := {"namespace": {"apps": {spo: {"SelinuxProfile": {"nginx": {"metadata": {"name": "nginx", "namespace": "apps"}}}}}}}
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", selinux("nginx_apps.process"))]})), "parameters": {}}
    with data.inventory as namespaced
  raw := cluster_inventory("RawSelinuxProfile", [{"metadata": {"name": "raw"}, "status": {"usage": "custom_raw.process"}}])
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", selinux("custom_raw.process"))]})), "parameters": {}}
    with data.inventory as raw
}

test_selinux_types_without_process_suffix_ignored {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", selinux("spc_t"))]})), "parameters": {}}
    with data.inventory as {}
}

test_exempt_selinux_type_allowed {
  count(violation) == 0 with input as {"review": review(pod({"containers": [c("nginx", selinux("udica.process"))]})), "parameters": {"exemptSelinuxTypes": ["udica.process"]}}
    with data.inventory as {}
}

# --- which objects and operations are checked -----------------------------------------------------------------

test_workload_templates_checked {
  deployment := {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [c("app", seccomp("operator/app.json"))]}}}}
  count(violation) == 1 with input as {"review": review(deployment), "parameters": {}} with data.inventory as {}
}

test_delete_never_denied {
  obj := pod({"containers": [c("nginx", seccomp("operator/nginx.json"))]})
  count(violation) == 0 with input as {"review": {"operation": "DELETE", "object": obj, "oldObject": obj}, "parameters": {}}
    with data.inventory as {}
}

test_audit_without_operation_checked {
  count(violation) == 1 with input as {"review": {"object": pod({"containers": [c("nginx", seccomp("operator/nginx.json"))]})}, "parameters": {}}
    with data.inventory as {}
}

test_update_does_not_blame_unchanged_references {
  old := pod({"containers": [c("legacy", seccomp("operator/gone.json"))]})
  new := pod({"containers": [c("legacy", seccomp("operator/gone.json")), c("added", seccomp("operator/new.json"))]})
  v := violation with input as {"review": {"operation": "UPDATE", "oldObject": old, "object": new}, "parameters": {}}
    with data.inventory as {}
  {x.details.reference | some x in v} == {"operator/new.json"}
}
