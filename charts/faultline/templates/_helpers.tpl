{{/* Labels every object carries; "component" is the part of the playground it is. */}}
{{- define "faultline.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component | default .name }}
app.kubernetes.io/part-of: faultline
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/* Selector labels: stable across upgrades (no version). */}}
{{- define "faultline.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* The faultline image, tagged <version>-<sha> by make up; the chart refuses to guess one. */}}
{{- define "faultline.image" -}}
{{- $tag := required "image.tag is required (make up sets <version>-<git sha>; never latest)" .Values.image.tag -}}
{{- if eq $tag "latest" }}{{ fail "image.tag must not be latest: tag with <version>-<git sha>" }}{{ end -}}
{{ printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* Pod-level securityContext admissible under PodSecurity restricted, for a numeric uid. */}}
{{- define "faultline.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level securityContext: restricted, read-only root (emptyDirs for what is written). */}}
{{- define "faultline.containerSecurity" -}}
runAsNonRoot: true
runAsUser: {{ . }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* HTTP probes: startup (up to 60 s), readiness, liveness. Args: dict port path [livePath]. */}}
{{- define "faultline.httpProbes" -}}
startupProbe:
  httpGet: { path: {{ .livePath | default .path }}, port: {{ .port }} }
  periodSeconds: 2
  failureThreshold: 30
readinessProbe:
  httpGet: { path: {{ .path }}, port: {{ .port }} }
  periodSeconds: 2
  failureThreshold: 2
livenessProbe:
  httpGet: { path: {{ .livePath | default .path }}, port: {{ .port }} }
  periodSeconds: 10
  failureThreshold: 3
{{- end }}

{{/* OTLP endpoint of the services (the collector), empty when tracing is off. */}}
{{- define "faultline.otlpEndpoint" -}}
{{- if .Values.tracing.enabled }}http://otel-collector.{{ .Release.Namespace }}.svc:4318{{ end -}}
{{- end }}

{{/* Env every faultline container gets: telemetry and its identity from the downward API. */}}
{{- define "faultline.telemetryEnv" -}}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ include "faultline.otlpEndpoint" .root | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .root.Values.tracing.samplingRatio | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .service }}
- name: FAULTLINE_INSTANCE
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
{{- end }}

{{/* User env from values (map name → value). */}}
{{- define "faultline.userEnv" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end }}
