package k8sknownsecurityprofiles

violation[{"msg": msg, "details": details}] {
  ref := checked_references[_]
  not known(ref)
  not exempt(ref)
  msg := sprintf("%v references %v \"%v\" (from %v), but %v", [ref.owner, ref.what, ref.value, ref.source, missing_text[ref.type]])
  details := {"owner": ref.owner, "type": ref.type, "reference": ref.value, "source": ref.source}
}

missing_text := {
  "seccomp": "no SeccompProfile provides it",
  "apparmor": "no AppArmorProfile has that name",
  "selinux": "no SelinuxProfile or RawSelinuxProfile provides it",
}

known(ref) {
  ref.type == "seccomp"
  known_seccomp[ref.value]
}

known(ref) {
  ref.type == "apparmor"
  known_apparmor[ref.value]
}

known(ref) {
  ref.type == "selinux"
  known_selinux[ref.value]
}

exempt(ref) {
  ref.type == "seccomp"
  glob.match(input.parameters.exemptSeccompProfiles[_], ["/"], ref.value)
}

exempt(ref) {
  ref.type == "apparmor"
  glob.match(input.parameters.exemptAppArmorProfiles[_], [], ref.value)
}

exempt(ref) {
  ref.type == "selinux"
  glob.match(input.parameters.exemptSelinuxTypes[_], [], ref.value)
}

# --- What the synced SPO objects provide --------------------------------

# Profiles of a kind from the inventory, at any served SPO version:
# cluster-scoped (SPO >= v0.9) and namespaced (older SPO).
profiles(kind) = {p |
  p := data.inventory.cluster[gv][kind][_]
  is_spo(gv)
} | {p |
  p := data.inventory.namespace[_][gv][kind][_]
  is_spo(gv)
}

is_spo(gv) {
  startswith(gv, "security-profiles-operator.x-k8s.io/")
}

known_seccomp[path] {
  path := profiles("SeccompProfile")[_].status.localhostProfile
  path != ""
}

# The path SPO's manager computes, for profiles whose status is not
# written yet.
known_seccomp[path] {
  p := profiles("SeccompProfile")[_]
  cluster_scoped(p)
  path := sprintf("operator/%v", [json_file(p.metadata.name)])
}

known_seccomp[path] {
  p := profiles("SeccompProfile")[_]
  not cluster_scoped(p)
  path := sprintf("operator/%v/%v", [p.metadata.namespace, json_file(p.metadata.name)])
}

json_file(name) = name {
  endswith(name, ".json")
}

json_file(name) = sprintf("%v.json", [name]) {
  not endswith(name, ".json")
}

# The kernel profile of an AppArmorProfile is named after the object.
known_apparmor[name] {
  name := profiles("AppArmorProfile")[_].metadata.name
}

selinux_kinds := ["SelinuxProfile", "RawSelinuxProfile"]

known_selinux[usage] {
  usage := profiles(selinux_kinds[_])[_].status.usage
  usage != ""
}

known_selinux[usage] {
  p := profiles(selinux_kinds[_])[_]
  cluster_scoped(p)
  usage := sprintf("%v.process", [p.metadata.name])
}

known_selinux[usage] {
  p := profiles(selinux_kinds[_])[_]
  not cluster_scoped(p)
  usage := sprintf("%v_%v.process", [p.metadata.name, p.metadata.namespace])
}

cluster_scoped(p) {
  not p.metadata.namespace
}

cluster_scoped(p) {
  p.metadata.namespace == ""
}

# --- What the reviewed pod references ------------------------------------

# References of the reviewed object, except those an UPDATE left as
# they were: an UPDATE cannot be blamed for a profile deleted since.
checked_references[ref] {
  input.review.operation != "DELETE"
  pod := pod_of(input.review.object)
  ref := references(pod)[_]
  not unchanged_by_update(ref)
}

checked_references[ref] {
  not input.review.operation
  pod := pod_of(input.review.object)
  ref := references(pod)[_]
}

unchanged_by_update(ref) {
  input.review.operation == "UPDATE"
  references(pod_of(input.review.oldObject))[ref]
}

references(pod) = refs {
  refs := {r | r := container_references(pod)[_]} | {r | r := pod_references(pod)[_]}
}

container_lists := {
  "container": "containers",
  "initContainer": "initContainers",
  "ephemeralContainer": "ephemeralContainers",
}

container_references(pod) = {r |
  list := container_lists[kind]
  c := pod.spec[list][_]
  owner := sprintf("%v \"%v\"", [kind, object.get(c, "name", "")])
  r := security_context_references(object.get(c, "securityContext", {}), owner, "container securityContext")[_]
} | {r |
  list := container_lists[kind]
  c := pod.spec[list][_]
  name := object.get(c, "name", "")
  value := object.get(object.get(pod, "metadata", {}), "annotations", {})[sprintf("container.apparmor.security.beta.kubernetes.io/%v", [name])]
  startswith(value, "localhost/")
  r := {"owner": sprintf("%v \"%v\"", [kind, name]), "type": "apparmor", "what": "AppArmor profile",
        "value": substring(value, count("localhost/"), -1), "source": "annotation"}
}

pod_references(pod) = security_context_references(object.get(pod.spec, "securityContext", {}), "pod", "pod securityContext")

security_context_references(sc, owner, source) = {r |
  sp := sc.seccompProfile
  sp.type == "Localhost"
  r := {"owner": owner, "type": "seccomp", "what": "seccomp profile", "value": object.get(sp, "localhostProfile", ""), "source": source}
} | {r |
  ap := sc.appArmorProfile
  ap.type == "Localhost"
  r := {"owner": owner, "type": "apparmor", "what": "AppArmor profile", "value": object.get(ap, "localhostProfile", ""), "source": source}
} | {r |
  t := sc.seLinuxOptions.type
  is_string(t)
  endswith(t, ".process")
  r := {"owner": owner, "type": "selinux", "what": "SELinux type", "value": t, "source": source}
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
