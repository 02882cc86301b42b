package k8sallowedapparmorprofiles

violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  not profile_allowed(c.profile)
  msg := sprintf("%v \"%v\" uses AppArmor profile \"%v\" (%v), which is not in allowedProfiles: %v", [c.kind, c.name, c.profile, c.source, allowed_text])
  details := {
    "container": c.name,
    "containerKind": c.kind,
    "profile": c.profile,
    "source": c.source,
    "allowedProfiles": allowed_profiles,
  }
}

# The containers to check: every container of the reviewed pod or pod
# template, except those an UPDATE leaves as they were.
checked_containers[c] {
  not is_delete
  pod := pod_of(input.review.object)
  not is_windows(pod)
  c := container_profiles(pod)[_]
  not unchanged_by_update(c)
}

# An UPDATE cannot be blamed for what it did not change: a container
# whose effective profile (and where it comes from) is the same in
# oldObject is not reported again.
unchanged_by_update(c) {
  input.review.operation == "UPDATE"
  old_pod := pod_of(input.review.oldObject)
  container_profiles(old_pod)[c]
}

container_profiles(pod) = {c |
  list := container_lists[kind]
  container := pod.spec[list][_]
  name := object.get(container, "name", "")
  effective := effective_profile(pod, container, name)
  c := {"kind": kind, "name": name, "profile": effective.profile, "source": effective.source}
}

container_lists := {
  "container": "containers",
  "initContainer": "initContainers",
  "ephemeralContainer": "ephemeralContainers",
}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

# Resolution order of the kubelet: container field, container
# annotation, pod field, runtime default.
effective_profile(_, container, _) = {"profile": field_profile(container.securityContext.appArmorProfile), "source": "from container securityContext"} {
  container_sets_profile(container)
}

effective_profile(pod, container, name) = {"profile": annotation_value(pod, name), "source": concat("", ["from annotation ", annotation_prefix, name])} {
  not container_sets_profile(container)
}

effective_profile(pod, container, name) = {"profile": field_profile(pod.spec.securityContext.appArmorProfile), "source": "from pod securityContext"} {
  not container_sets_profile(container)
  not has_annotation(pod, name)
  pod_sets_profile(pod)
}

effective_profile(pod, container, name) = {"profile": "runtime/default", "source": "unset, so the runtime default applies"} {
  not container_sets_profile(container)
  not has_annotation(pod, name)
  not pod_sets_profile(pod)
}

# Helpers, not inline calls: `not is_object(x.y)` is undefined, not
# true, when x.y is missing.
container_sets_profile(container) {
  is_object(container.securityContext.appArmorProfile)
}

pod_sets_profile(pod) {
  is_object(pod.spec.securityContext.appArmorProfile)
}

annotation_value(pod, name) = pod.metadata.annotations[concat("", [annotation_prefix, name])]

has_annotation(pod, name) {
  _ = annotation_value(pod, name)
}

# The appArmorProfile field, written in annotation syntax.
field_profile(p) = "runtime/default" {
  p.type == "RuntimeDefault"
}

field_profile(p) = "unconfined" {
  p.type == "Unconfined"
}

field_profile(p) = concat("", ["localhost/", object.get(p, "localhostProfile", "")]) {
  p.type == "Localhost"
}

# An unknown type is kept as written, so it matches nothing allowed.
field_profile(p) = sprintf("%v", [object.get(p, "type", "")]) {
  not known_type(p)
}

known_type(p) {
  {"RuntimeDefault", "Unconfined", "Localhost"}[p.type]
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

# Deleting must stay possible, whatever the object looks like.
is_delete {
  input.review.operation == "DELETE"
}

is_windows(pod) {
  pod.spec.os.name == "windows"
}

allowed_profiles := object.get(input.parameters, "allowedProfiles", ["runtime/default", "localhost/*"])

allowed_text = "none" {
  count(allowed_profiles) == 0
}

allowed_text = concat(", ", allowed_profiles) {
  count(allowed_profiles) > 0
}

# No delimiters (null), so `*` also spans `/` in profile names. An
# empty list would not do: glob.match reads [] as ["."].
profile_allowed(profile) {
  glob.match(allowed_profiles[_], null, profile)
}
