{{/*
Helpers of the outbound-scheduler chart: names, labels, the namespaces watched, the
operator's environment, and the RBAC rules that the ClusterRole and the Roles share.
*/}}

{{- define "outbound-scheduler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name, with the chart name appended unless the release name
already contains it. Truncated to 63 characters, the DNS label limit.
*/}}
{{- define "outbound-scheduler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "outbound-scheduler.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "outbound-scheduler.labels" -}}
helm.sh/chart: {{ include "outbound-scheduler.chart" . }}
{{ include "outbound-scheduler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "outbound-scheduler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outbound-scheduler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "outbound-scheduler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "outbound-scheduler.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The namespaces a namespace-restricted operator watches, as a JSON list.
*/}}
{{- define "outbound-scheduler.watchNamespaces" -}}
{{- $namespaces := .Values.namespaceRestricted.watchNamespaces | default (list .Release.Namespace) }}
{{- toJson (uniq $namespaces) }}
{{- end }}

{{/*
The operator's settings as OUTBOUND_SCHEDULER_* variables (container env entries).
*/}}
{{- define "outbound-scheduler.env" -}}
{{- with .Values.ocs.endpoints }}
- name: OUTBOUND_SCHEDULER_OCS_ENDPOINTS
  value: {{ toJson . | quote }}
{{- end }}
{{- if .Values.namespaceRestricted.enabled }}
- name: OUTBOUND_SCHEDULER_NAMESPACES
  value: {{ include "outbound-scheduler.watchNamespaces" . | quote }}
{{- end }}
{{- with .Values.settings }}
- name: OUTBOUND_SCHEDULER_CATCH_UP_SECONDS
  value: {{ .catchUpSeconds | quote }}
- name: OUTBOUND_SCHEDULER_RETRY_SECONDS
  value: {{ .retrySeconds | quote }}
- name: OUTBOUND_SCHEDULER_WORKERS
  value: {{ .workers | quote }}
- name: OUTBOUND_SCHEDULER_LOG_FORMAT
  value: {{ .logFormat | quote }}
{{- with .allowedHours }}
- name: OUTBOUND_SCHEDULER_ALLOWED_HOURS
  value: {{ toJson . | quote }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The rules the operator needs in every namespace it watches; the ClusterRole grants them
everywhere, a namespace-restricted install grants them per namespace through Roles.
The operator keeps no state on the objects beyond status; what it writes is status,
Events, and its own finalizer on Schedules.
*/}}
{{- define "outbound-scheduler.operatorRules" -}}
# Schedules and CampaignGroups: the operator lists and watches both kinds.
- apiGroups: ["outbound.dev"]
  resources: ["schedules", "campaigngroups"]
  verbs: ["list", "watch"]
# Schedules' metadata.finalizers, by merge patch: the operator's finalizer holds a deleted
# Schedule until the runs it started are stopped. It never writes spec (GitOps owns it).
- apiGroups: ["outbound.dev"]
  resources: ["schedules"]
  verbs: ["patch"]
# Their status subresource: runs, states, next run and conditions, as merge patches.
- apiGroups: ["outbound.dev"]
  resources: ["schedules/status", "campaigngroups/status"]
  verbs: ["patch"]
# Events on Schedules and CampaignGroups: every start, stop, miss and failure.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
