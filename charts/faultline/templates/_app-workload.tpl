{{/*
A chaos-enabled app replica set (booking, scheduler): the app container and its faultline agent
sidecar in one pod. Traffic enters through the agent's inbound link (Service port "http"), the
app's own port serves probes and /metrics, and the app reaches its dependencies through the
agent's outbound links on loopback. Args: dict root name values appEnv links, and podRole
(true: the app keeps its role on its pod's label chaos.faultline.dev/role, with the workload's own
ServiceAccount token mounted into the app container only, never into the agent), and indexed
(true: a StatefulSet with parallel pod management rather than a Deployment, so each replica
carries its ordinal as the label apps.kubernetes.io/pod-index — 0, 1, 2, as the local
playground labels its replicas — and an experiment aimed at "replica 1" means the same pod on
both platforms).
*/}}
{{- define "faultline.appWorkload" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $a := $root.Values.agent -}}
{{- $ctx := dict "root" $root "name" .name "component" "app" -}}
apiVersion: apps/v1
kind: {{ if .indexed }}StatefulSet{{ else }}Deployment{{ end }}
metadata:
  name: {{ .name }}
  labels:
    {{- include "faultline.labels" $ctx | nindent 4 }}
spec:
  replicas: {{ $v.replicas }}
  {{- if .indexed }}
  serviceName: {{ .name }}
  podManagementPolicy: Parallel
  {{- end }}
  selector:
    matchLabels:
      {{- include "faultline.selector" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "faultline.labels" $ctx | nindent 8 }}
        # The chaos driver selects targets by `app` and opt-in.
        app: {{ .name }}
        chaos.faultline.dev/enabled: "true"
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $v.port | quote }}
        chaos.faultline.dev/agent-port: {{ $a.adminPort | quote }}
        faultline.dev/agent-metrics-port: {{ $a.adminPort | quote }}
    spec:
      {{- if .podRole }}
      serviceAccountName: {{ .name }}
      {{- end }}
      automountServiceAccountToken: false
      # The agent pauses/kills the app process (pod-pause): it must see the app's PID.
      shareProcessNamespace: true
      securityContext:
        {{- include "faultline.podSecurity" 65532 | nindent 8 }}
      containers:
        - name: {{ .name }}
          image: {{ include "faultline.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson $v.args }}
          ports:
            - { name: app, containerPort: {{ $v.port }} }
          env:
            {{- include "faultline.telemetryEnv" (dict "root" $root "service" .name) | nindent 12 }}
            {{- .appEnv | nindent 12 }}
            {{- if .podRole }}
            - name: POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - name: POD_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
            {{- end }}
            {{- include "faultline.userEnv" $v.env | nindent 12 }}
          {{- include "faultline.httpProbes" (dict "port" "app" "path" "/readyz" "livePath" "/livez") | nindent 10 }}
          resources: {{ toJson $v.resources }}
          securityContext:
            {{- include "faultline.containerSecurity" 65532 | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            {{- if .podRole }}
            - { name: kube-api-access, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true }
            {{- end }}
        - name: agent
          image: {{ include "faultline.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson $a.args }}
          ports:
            - { name: http, containerPort: {{ $a.inboundPort }} }
            - { name: agent, containerPort: {{ $a.adminPort }} }
          env:
            {{- include "faultline.telemetryEnv" (dict "root" $root "service" "faultline-agent") | nindent 12 }}
            - name: FAULTLINE_AGENT_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - { name: FAULTLINE_AGENT_ADMIN_HOST, value: 0.0.0.0 }
            - { name: FAULTLINE_AGENT_ADMIN_PORT, value: {{ $a.adminPort | quote }} }
            - { name: FAULTLINE_AGENT_TOKEN_FILE, value: /var/run/faultline/agent-token/token }
            - name: FAULTLINE_AGENT_LINKS
              value: {{ toJson (append .links (dict "name" "inbound" "listen" (printf "0.0.0.0:%v" $a.inboundPort) "target" (printf "127.0.0.1:%v" $v.port) "protocol" "http" "kind" "inbound")) | quote }}
            {{- include "faultline.userEnv" $a.env | nindent 12 }}
          {{- include "faultline.httpProbes" (dict "port" "agent" "path" "/readyz" "livePath" "/livez") | nindent 10 }}
          resources: {{ toJson $a.resources }}
          securityContext:
            {{- include "faultline.containerSecurity" 65532 | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            - { name: agent-token, mountPath: /var/run/faultline/agent-token, readOnly: true }
      volumes:
        - { name: tmp, emptyDir: { sizeLimit: 16Mi } }
        - name: agent-token
          secret: { secretName: faultline-agent-token, defaultMode: 0440 }
        {{- if .podRole }}
        # What automountServiceAccountToken would mount, for the app container alone.
        - name: kube-api-access
          projected:
            defaultMode: 0444
            sources:
              - serviceAccountToken: { path: token, expirationSeconds: 3607 }
              - configMap: { name: kube-root-ca.crt, items: [{ key: ca.crt, path: ca.crt }] }
              - downwardAPI: { items: [{ path: namespace, fieldRef: { fieldPath: metadata.namespace } }] }
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "faultline.labels" $ctx | nindent 4 }}
spec:
  selector:
    {{- include "faultline.selector" $ctx | nindent 4 }}
  ports:
    - { name: http, port: 80, targetPort: http }
    - { name: app, port: {{ $v.port }}, targetPort: app }
{{- end }}
