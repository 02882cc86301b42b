package k8spspallowedusers

# Written for the benchmark: the shape of gatekeeper-library's k8spspallowedusers (rules over the
# runAsUser / runAsGroup / supplementalGroups / fsGroup of every container, ranges from parameters,
# messages through sprintf), so its cost is a realistic one.

violation[{"msg": msg}] {
  field := ["runAsUser", "runAsGroup"][_]
  rule := input.parameters[field].rule
  container := input_containers[_]
  msg := get_container_violation(field, rule, container)
}

violation[{"msg": msg}] {
  field := ["supplementalGroups", "fsGroup"][_]
  rule := input.parameters[field].rule
  msg := get_pod_violation(field, rule)
}

get_container_violation(field, "MustRunAsNonRoot", container) = msg {
  value := run_as_value(field, container)
  value == 0
  msg := sprintf("Container %v is attempting to run as disallowed %v %v. Allowed %v: %v", [container.name, field, value, field, {"rule": "MustRunAsNonRoot"}])
}

get_container_violation(field, "MustRunAs", container) = msg {
  value := run_as_value(field, container)
  ranges := input.parameters[field].ranges
  not in_any_range(value, ranges)
  msg := sprintf("Container %v is attempting to run as disallowed %v %v. Allowed %v: %v", [container.name, field, value, field, input.parameters[field]])
}

get_container_violation(field, rule, container) = msg {
  rule != "RunAsAny"
  not run_as_value(field, container)
  msg := sprintf("Container %v is attempting to run without a required securityContext/%v", [container.name, field])
}

get_pod_violation(field, "MustRunAs") = msg {
  groups := pod_groups(field)
  group := groups[_]
  not in_any_range(group, input.parameters[field].ranges)
  msg := sprintf("Pod %v is attempting to run with disallowed %v %v. Allowed %v: %v", [input.review.object.metadata.name, field, group, field, input.parameters[field]])
}

run_as_value(field, container) = value {
  value := container.securityContext[field]
} else = value {
  value := input.review.object.spec.securityContext[field]
}

pod_groups("fsGroup") = [g] {
  g := input.review.object.spec.securityContext.fsGroup
}

pod_groups("supplementalGroups") = gs {
  gs := input.review.object.spec.securityContext.supplementalGroups
}

in_any_range(value, ranges) {
  r := ranges[_]
  value >= r.min
  value <= r.max
}

input_containers[c] {
  c := input.review.object.spec.containers[_]
}

input_containers[c] {
  c := input.review.object.spec.initContainers[_]
}
