{{/*
Names are fixed, as in k8s/: the server looks its Secret, Lease and webhook configurations up by these names
(portcullis.tls.*, portcullis.audit.lease-name), and the RBAC rules name them. One release per cluster.
*/}}

{{/* Labels of every object: k8s/'s (name, part-of) and Helm's. */}}
{{- define "portcullis.labels" -}}
app.kubernetes.io/name: portcullis
app.kubernetes.io/part-of: portcullis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Deployment's selector: as in k8s/, so a release can take over a kubectl apply -k install. */}}
{{- define "portcullis.webhookSelector" -}}
app.kubernetes.io/name: portcullis
app.kubernetes.io/component: webhook
{{- end }}

{{- define "portcullis.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.release | default .Chart.AppVersion }}
{{- end }}

{{/* Gatekeeper's level names to Spring's. */}}
{{- define "portcullis.logLevel" -}}
{{- $level := upper .Values.logLevel -}}
{{- if eq $level "WARNING" }}WARN{{ else if has $level (list "TRACE" "DEBUG" "INFO" "WARN" "ERROR" "OFF") }}{{ $level }}{{ else }}{{ fail (printf "logLevel must be DEBUG, INFO, WARNING or ERROR, not %q" .Values.logLevel) }}{{ end -}}
{{- end }}

{{- define "portcullis.namespaceSelector" -}}
namespaceSelector:
  matchExpressions:
    - key: admission.gatekeeper.sh/ignore
      operator: DoesNotExist
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: [{{ .Release.Namespace }}]
{{- end }}
