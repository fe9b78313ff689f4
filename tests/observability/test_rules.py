"""The alert rules as the chart renders them: promtool accepts them, and promtool's rule
unit tests show each alert firing on the series the operator exports, and staying quiet
when nothing is wrong."""

import subprocess

import yaml

from tests.observability.support import rendered_rule

NAMESPACE = "contact-east"
MISSED, FAILED = "OutboundSchedulerRunsMissed", "OutboundSchedulerRunsFailed"
UNREACHABLE = "OutboundSchedulerOcsUnreachable"


def expected_annotations(rule, labels, value):
    """The rule's annotations as Prometheus renders them for `labels` and `value`."""
    rendered = {}
    for key, text in rule["annotations"].items():
        for name, label in labels.items():
            text = text.replace(f"{{{{ $labels.{name} }}}}", label)
        for function in ("humanize", "humanizePercentage"):
            text = text.replace(f"{{{{ $value | {function} }}}}", value)
        assert "{{" not in text, f"unrendered template in {key}: {text}"
        rendered[key] = text
    return rendered


def quiet(at, alert):
    return {"eval_time": at, "alertname": alert, "exp_alerts": []}


def rules_by_alert(spec):
    return {rule["alert"]: rule for group in spec["groups"] for rule in group["rules"]}


def promtool_run(promtool, tmp_path, *args, **files):
    for name, content in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, sort_keys=False))
    return subprocess.run([str(promtool), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip


def test_promtool_checks_the_rendered_rules(helm, promtool, tmp_path):
    """`promtool check rules` accepts the PrometheusRule's spec: valid PromQL, valid
    templates in the annotations, no duplicate names."""
    spec = rendered_rule(helm)["spec"]
    files = {"rules.yaml": spec}
    result = promtool_run(promtool, tmp_path, "check", "rules", "rules.yaml", **files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules_by_alert(spec))} rules found" in result.stdout


def test_alerts_fire_on_the_operators_series_and_only_then(helm, promtool, tmp_path):
    """A missed run, a failed run and an OCS endpoint whose requests fail each raise their
    alert, labelled and worded for the namespace or endpoint; flat counters and an OCS that
    answers raise none."""
    spec = rendered_rule(helm)["spec"]
    rules = rules_by_alert(spec)
    severity = {"severity": "warning"}

    def fired(alert, labels, value):
        annotations = expected_annotations(rules[alert], labels, value)
        return [{"exp_labels": labels | severity, "exp_annotations": annotations}]

    runs = f'outbound_scheduler_runs_total{{namespace="{NAMESPACE}", outcome="%s"}}'
    requests = (
        'outbound_scheduler_ocs_requests_total{ocs="%s", request="LoadCampaign", result="%s"}'
    )
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": runs % "missed", "values": "0 0 1 1 1"},
                {"series": runs % "failed", "values": "0 0 0 1 1"},
                {"series": runs % "started", "values": "0 1 2 3 4"},
                {"series": requests % ("east", "unavailable"), "values": "0+4x20"},
                {"series": requests % ("east", "ok"), "values": "0+0x20"},
                {"series": requests % ("west", "ok"), "values": "0+4x20"},
                {"series": requests % ("west", "unavailable"), "values": "0+1x20"},
            ],
            "alert_rule_test": [
                quiet("1m", MISSED),
                {"eval_time": "3m", "alertname": MISSED,
                 "exp_alerts": fired(MISSED, {"namespace": NAMESPACE}, "1")},
                quiet("2m", FAILED),
                {"eval_time": "4m", "alertname": FAILED,
                 "exp_alerts": fired(FAILED, {"namespace": NAMESPACE}, "1")},
                # Failing from the start: pending until `for` (5m) has passed, then firing.
                quiet("4m", UNREACHABLE),
                {"eval_time": "12m", "alertname": UNREACHABLE,
                 "exp_alerts": fired(UNREACHABLE, {"ocs": "east"}, "100%")},
            ],
        }],
    }  # fmt: skip
    result = promtool_run(promtool, tmp_path, "test", "rules", "tests.yaml",
                          **{"rules.yaml": spec, "tests.yaml": tests})  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
