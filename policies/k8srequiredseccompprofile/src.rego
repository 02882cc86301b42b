package k8srequiredseccompprofile

# Unset profile: the container runs Unconfined.
violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  c.profile == null
  not allowed_types["Unconfined"]
  msg := sprintf("%v \"%v\" has no seccomp profile: seccompProfile is set neither on the container nor on the pod, so it would run Unconfined; allowed types: %v", [c.kind, c.name, allowed_types_text])
  details := violation_details(c)
}

violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  c.profile != null
  profile_type := object.get(c.profile, "type", "")
  not allowed_types[profile_type]
  msg := sprintf("%v \"%v\" uses seccomp profile type \"%v\" (from %v); allowed types: %v", [c.kind, c.name, profile_type, c.source, allowed_types_text])
  details := violation_details(c)
}

violation[{"msg": msg, "details": details}] {
  c := checked_containers[_]
  c.profile.type == "Localhost"
  allowed_types["Localhost"]
  path := object.get(c.profile, "localhostProfile", "")
  not localhost_profile_allowed(path)
  msg := sprintf("%v \"%v\" uses seccomp localhost profile \"%v\" (from %v), which matches none of allowedLocalhostProfiles: %v", [c.kind, c.name, path, c.source, text_list(object.get(input.parameters, "allowedLocalhostProfiles", []))])
  details := violation_details(c)
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
  effective := effective_profile(pod, container)
  c := {
    "kind": kind,
    "name": object.get(container, "name", ""),
    "profile": effective.profile,
    "source": effective.source,
  }
}

container_lists := {
  "container": "containers",
  "initContainer": "initContainers",
  "ephemeralContainer": "ephemeralContainers",
}

# The container's own setting wins over the pod's, as in the kubelet.
effective_profile(_, container) = {"profile": container.securityContext.seccompProfile, "source": "container securityContext"} {
  container_sets_profile(container)
}

effective_profile(pod, container) = {"profile": pod.spec.securityContext.seccompProfile, "source": "pod securityContext"} {
  not container_sets_profile(container)
  pod_sets_profile(pod)
}

effective_profile(pod, container) = {"profile": null, "source": "unset"} {
  not container_sets_profile(container)
  not pod_sets_profile(pod)
}

# Helpers, not inline calls: `not is_object(x.y)` is undefined, not
# true, when x.y is missing.
container_sets_profile(container) {
  is_object(container.securityContext.seccompProfile)
}

pod_sets_profile(pod) {
  is_object(pod.spec.securityContext.seccompProfile)
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

allowed_types := {t | t := object.get(input.parameters, "allowedProfileTypes", ["RuntimeDefault", "Localhost"])[_]}

allowed_types_text := text_list(allowed_types)

localhost_profile_allowed(_) {
  not restricts_localhost_profiles
}

localhost_profile_allowed(path) {
  glob.match(input.parameters.allowedLocalhostProfiles[_], ["/"], path)
}

restricts_localhost_profiles {
  is_array(input.parameters.allowedLocalhostProfiles)
}

text_list(values) = "none" {
  count(values) == 0
}

text_list(values) = concat(", ", sort(values)) {
  count(values) > 0
}

violation_details(c) = {
  "container": c.name,
  "containerKind": c.kind,
  "profile": c.profile,
  "source": c.source,
  "allowedProfileTypes": sort(allowed_types),
}
