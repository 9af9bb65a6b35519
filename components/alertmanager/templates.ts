/**
 * Notification templates (Go text/template, Alertmanager dialect). Every message names the
 * alert, its severity, the running release and the runbook, dashboard and log links stamped
 * by the rules (annotations runbook_url, dashboard_url, logs_url, release).
 */

export const TemplateName = {
  title: "port8000.title",
  slackTitle: "port8000.slack.title",
  slackText: "port8000.slack.text",
  pagerdutyDescription: "port8000.pagerduty.description",
  pagerdutySeverity: "port8000.pagerduty.severity",
  pagerdutyFiring: "port8000.pagerduty.firing",
  release: "port8000.release",
  runbook: "port8000.runbook",
  dashboard: "port8000.dashboard",
  logs: "port8000.logs",
  smsSubject: "port8000.sms.subject",
  smsMessage: "port8000.sms.message",
  emailSubject: "port8000.email.subject",
  emailHtml: "port8000.email.html",
  emailText: "port8000.email.text",
} as const;

/** `{{ template "name" . }}` for use in receiver fields. */
export const use = (name: string): string => `{{ template "${name}" . }}`;

const COMMON = `{{/* Shared pieces. "." is the notification (template.Data) unless noted. */}}
{{ define "port8000.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }}, {{ .CommonLabels.service }}){{ end }}

{{/* Per alert ("." is one alert). */}}
{{ define "port8000.alert.release" }}{{ with .Annotations.release }}{{ . }}{{ else }}{{ with .Labels.release }}{{ . }}{{ else }}unknown release{{ end }}{{ end }}{{ end }}
{{ define "port8000.alert.where" }}{{ with .Labels.instance }}instance {{ . }} {{ end }}{{ with .Labels.bot }}bot {{ . }} {{ end }}{{ with .Labels.mountpoint }}mount {{ . }}{{ end }}{{ end }}

{{/* First alert of the group: alerts of one group share alertname, hence runbook and dashboard. */}}
{{ define "port8000.release" }}{{ template "port8000.alert.release" (index .Alerts 0) }}{{ end }}
{{ define "port8000.runbook" }}{{ (index .Alerts 0).Annotations.runbook_url }}{{ end }}
{{ define "port8000.dashboard" }}{{ (index .Alerts 0).Annotations.dashboard_url }}{{ end }}
{{ define "port8000.logs" }}{{ (index .Alerts 0).Annotations.logs_url }}{{ end }}
`;

const SLACK =
  `{{ define "port8000.slack.title" }}{{ template "port8000.title" . }}{{ end }}

{{ define "port8000.slack.text" }}{{ range .Alerts }}{{ if eq .Status "firing" }}:rotating_light:{{ else }}:white_check_mark:{{ end }} *{{ .Annotations.summary }}* ` +
  "`{{ .Labels.severity }}`" +
  `
{{ .Annotations.description }}
{{ template "port8000.alert.where" . }}
*Release:* {{ template "port8000.alert.release" . }} · *Since:* {{ .StartsAt.Format "2006-01-02 15:04 MST" }}
<{{ .Annotations.runbook_url }}|Runbook> · <{{ .Annotations.dashboard_url }}|Dashboard> · <{{ .Annotations.logs_url }}|Logs> · <{{ .GeneratorURL }}|Query>
{{ end }}{{ end }}
`;

const PAGERDUTY = `{{ define "port8000.pagerduty.severity" }}{{ if eq .CommonLabels.severity "critical" }}critical{{ else if eq .CommonLabels.severity "warning" }}warning{{ else if eq .CommonLabels.severity "info" }}info{{ else }}error{{ end }}{{ end }}

{{/* Summary of the first firing alert (the first alert when none fires, e.g. resolved), "+N more" for the other firing ones. */}}
{{ define "port8000.pagerduty.description" }}{{ $firing := .Alerts.Firing }}{{ $first := index .Alerts 0 }}{{ if $firing }}{{ $first = index $firing 0 }}{{ end }}{{ .CommonLabels.alertname }}: {{ $first.Annotations.summary }}{{ if gt (len $firing) 1 }} (+{{ len (slice $firing 1) }} more){{ end }} [{{ template "port8000.alert.release" $first }}]{{ end }}

{{ define "port8000.pagerduty.firing" }}{{ range .Alerts.Firing }}- {{ .Annotations.summary }} {{ template "port8000.alert.where" . }}(since {{ .StartsAt.Format "15:04 MST" }}, release {{ template "port8000.alert.release" . }})
  {{ .Annotations.description }}
  runbook {{ .Annotations.runbook_url }} | dashboard {{ .Annotations.dashboard_url }} | logs {{ .Annotations.logs_url }}
{{ end }}{{ end }}
`;

const SMS = `{{ define "port8000.sms.subject" }}P8000 {{ .Status | toUpper }} {{ .CommonLabels.alertname }}{{ end }}

{{ define "port8000.sms.message" }}{{ $firing := .Alerts.Firing }}{{ $first := index .Alerts 0 }}{{ if $firing }}{{ $first = index $firing 0 }}{{ end }}{{ .Status | toUpper }} {{ .CommonLabels.severity }} {{ .CommonLabels.alertname }}{{ if gt (len $firing) 1 }} x{{ len $firing }}{{ end }}: {{ $first.Annotations.summary }}. Rel {{ template "port8000.release" . }}. Runbook {{ template "port8000.runbook" . }} Dash {{ template "port8000.dashboard" . }} Logs {{ template "port8000.logs" . }}{{ end }}
`;

const EMAIL = `{{ define "port8000.email.subject" }}[Port 8000 digest] {{ .Alerts.Firing | len }} firing, {{ .Alerts.Resolved | len }} resolved ({{ .CommonLabels.service }}){{ end }}

{{ define "port8000.email.text" }}Port 8000 warnings, hourly digest.
{{ range .Alerts }}
[{{ .Status | toUpper }}] {{ .Labels.alertname }} {{ template "port8000.alert.where" . }}
  {{ .Annotations.summary }}
  {{ .Annotations.description }}
  since {{ .StartsAt.Format "2006-01-02 15:04 MST" }}; release {{ template "port8000.alert.release" . }}
  runbook:   {{ .Annotations.runbook_url }}
  dashboard: {{ .Annotations.dashboard_url }}
  logs:      {{ .Annotations.logs_url }}
{{ end }}
Alertmanager: {{ .ExternalURL }}
{{ end }}

{{ define "port8000.email.html" }}<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>Port 8000 warnings, hourly digest</h2>
<p>{{ .Alerts.Firing | len }} firing, {{ .Alerts.Resolved | len }} resolved.</p>
<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Status</th><th>Alert</th><th>Summary</th><th>Since</th><th>Release</th><th>Links</th></tr>
{{ range .Alerts }}<tr>
<td>{{ .Status }}</td>
<td>{{ .Labels.alertname }} {{ template "port8000.alert.where" . }}</td>
<td><b>{{ .Annotations.summary }}</b><br>{{ .Annotations.description }}</td>
<td>{{ .StartsAt.Format "2006-01-02 15:04 MST" }}</td>
<td>{{ template "port8000.alert.release" . }}</td>
<td><a href="{{ .Annotations.runbook_url }}">runbook</a> · <a href="{{ .Annotations.dashboard_url }}">dashboard</a> · <a href="{{ .Annotations.logs_url }}">logs</a></td>
</tr>
{{ end }}</table>
<p><a href="{{ .ExternalURL }}">Alertmanager</a></p>
</body></html>
{{ end }}
`;

/** File name → content; every file ends in .tmpl (the chart loads /etc/alertmanager/config/*.tmpl). */
export function renderAlertmanagerTemplates(): Record<string, string> {
  return {
    "port8000-common.tmpl": COMMON,
    "port8000-slack.tmpl": SLACK,
    "port8000-pagerduty.tmpl": PAGERDUTY,
    "port8000-sms.tmpl": SMS,
    "port8000-email.tmpl": EMAIL,
  };
}
