package k8sallowedselinuxoptions

violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  restricts_options
  count(set_fields(c.options)) > 0
  not options_allowed(c.options)
  msg := sprintf("%v \"%v\" has seLinuxOptions %v %v, which match none of allowedSELinuxOptions", [c.kind, c.name, options_text(c.options), c.source])
  details := violation_details(c)
}

violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  input.parameters.requireType == true
  not set_fields(c.options)["type"]
  msg := sprintf("%v \"%v\" has no SELinux type, but requireType is true (seLinuxOptions: %v)", [c.kind, c.name, where_text(c)])
  details := violation_details(c)
}

# The containers to check: every container of the reviewed pod or pod
# template, except those an UPDATE leaves as they were.
checked_containers[c] {
  not is_delete
  pod := pod_of(input.review.object)
  not is_windows(pod)
  c := container_options(pod)[_]
  not unchanged_by_update(c)
}

# An UPDATE cannot be blamed for what it did not change: a container
# whose effective options (and where they come from) are the same in
# oldObject is not reported again.
unchanged_by_update(c) {
  input.review.operation == "UPDATE"
  old_pod := pod_of(input.review.oldObject)
  container_options(old_pod)[c]
}

container_options(pod) = {c |
  list := container_lists[kind]
  container := pod.spec[list][_]
  effective := effective_options(pod, container)
  c := {
    "kind": kind,
    "name": object.get(container, "name", ""),
    "options": effective.options,
    "source": effective.source,
  }
}

container_lists := {
  "container": "containers",
  "initContainer": "initContainers",
  "ephemeralContainer": "ephemeralContainers",
}

# Container-level options replace the pod's entirely, as in the kubelet.
effective_options(_, container) = {"options": container.securityContext.seLinuxOptions, "source": "from container securityContext"} {
  container_sets_options(container)
}

effective_options(pod, container) = {"options": pod.spec.securityContext.seLinuxOptions, "source": "from pod securityContext"} {
  not container_sets_options(container)
  pod_sets_options(pod)
}

effective_options(pod, container) = {"options": {}, "source": "unset"} {
  not container_sets_options(container)
  not pod_sets_options(pod)
}

# Helpers, not inline calls: `not is_object(x.y)` is undefined, not
# true, when x.y is missing.
container_sets_options(container) {
  is_object(container.securityContext.seLinuxOptions)
}

pod_sets_options(pod) {
  is_object(pod.spec.securityContext.seLinuxOptions)
}

selinux_fields := ["user", "role", "type", "level"]

# The fields an options object sets; empty strings count as unset, as
# they do in Kubernetes.
set_fields(options) = {f |
  f := selinux_fields[_]
  value := options[f]
  value != ""
  value != null
}

restricts_options {
  is_array(input.parameters.allowedSELinuxOptions)
}

options_allowed(options) {
  entry := input.parameters.allowedSELinuxOptions[_]
  count({f | set_fields(options)[f]; set_fields(entry)[f]; not field_matches(entry[f], options[f])}) == 0
}

# No delimiters (null), so `*` matches any characters, including the
# "." of "<name>.process". An empty list would not do: glob.match
# reads [] as ["."]. A non-string value matches nothing.
field_matches(pattern, value) {
  glob.match(pattern, null, value)
}

# Set fields in a fixed order, e.g. "{user: system_u, type: spc_t}".
options_text(options) = concat("", ["{", concat(", ", [sprintf("%v: %v", [f, options[f]]) | f := selinux_fields[_]; set_fields(options)[f]]), "}"])

where_text(c) = "none set on the container or the pod" {
  c.source == "unset"
}

where_text(c) = concat(" ", [options_text(c.options), c.source]) {
  c.source != "unset"
}

# Deleting must stay possible, whatever the object looks like.
is_delete {
  input.review.operation == "DELETE"
}

is_windows(pod) {
  pod.spec.os.name == "windows"
}

# The pod an object runs: a Pod itself, or the pod template of a workload.
pod_of(obj) = obj {
  obj.kind == "Pod"
}

pod_of(obj) = obj.spec.template {
  template_kinds[obj.kind]
}

pod_of(obj) = obj.spec.jobTemplate.spec.template {
  obj.kind == "CronJob"
}

template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}

violation_details(c) = {
  "container": c.name,
  "containerKind": c.kind,
  "seLinuxOptions": c.options,
  "source": c.source,
  "allowedSELinuxOptions": object.get(input.parameters, "allowedSELinuxOptions", null),
  "requireType": object.get(input.parameters, "requireType", false),
}
