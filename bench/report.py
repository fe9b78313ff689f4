"""Figures from raw measurements, and the table that sets them beside the issue's targets.

Lags are measured per Campaign Group from the instant it was due: ours to the
simulator's receive time of a request (milliseconds), the CronJob controller's to
its Job's creationTimestamp (whole seconds). To compare like with like, our
StartDialing lag is also cut to whole seconds the way the API server cuts a
timestamp, and the ratios of ours to the peer's are printed at both resolutions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(values: Iterable[float], digits: int = 1) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    return {
        "count": len(ordered),
        "min": round(ordered[0], digits),
        "p50": round(percentile(ordered, 0.50), digits),
        "p99": round(percentile(ordered, 0.99), digits),
        "max": round(ordered[-1], digits),
    }


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def first_received(log: Iterable[dict[str, Any]], request: str) -> dict[int, datetime]:
    firsts: dict[int, datetime] = {}
    for entry in log:
        if entry["req"] == request:
            firsts.setdefault(entry["campaignGroup"], parse_instant(entry["receivedAt"]))
    return firsts


def activation(log: list[dict[str, Any]], due: dict[int, datetime]) -> dict[str, Any]:
    """Lag, misses, duplicates and early requests of one scenario's Campaign Groups."""
    starts = first_received(log, "StartDialing")
    loads = first_received(log, "LoadCampaign")
    per_group = Counter(e["campaignGroup"] for e in log if e["req"] == "StartDialing")
    early = {
        e["campaignGroup"] for e in log if parse_instant(e["receivedAt"]) < due[e["campaignGroup"]]
    }
    return {
        "start_dialing_ms": summary(lag_ms(starts, due)),
        "load_campaign_ms": summary(lag_ms(loads, due)),
        "start_dialing_s": summary(lag_whole_seconds(starts, due), digits=0),
        "misses": len(set(due) - set(starts)),
        "duplicates": sum(1 for count in per_group.values() if count > 1),
        "early": len(early),
    }


def lag_ms(received: dict[int, datetime], due: dict[int, datetime]) -> list[float]:
    return [(at - due[dbid]).total_seconds() * 1000 for dbid, at in received.items()]


def lag_whole_seconds(received: dict[int, datetime], due: dict[int, datetime]) -> list[float]:
    """Lag as a creationTimestamp would show it: the receive time cut to the second."""
    return [
        (at.replace(microsecond=0) - due[dbid]).total_seconds() for dbid, at in received.items()
    ]


def ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or peer is None or peer <= 0:
        return None
    return round(ours / peer, 4)


# Each target: (scenario key, figure label, how to read it, how to judge it, target text).
Row = tuple[str, str, str, str, str]


def rows(results: list[dict[str, Any]]) -> list[Row]:
    """(scenario, figure, value, target, verdict) for every figure the run produced."""
    table: list[Row] = []
    for result in results:
        table += ROWS[result["scenario"]](result)
    return table


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def _lag_rows(result: dict[str, Any], p50_ms: float | None, p99_ms: float | None) -> list[Row]:
    name = result["name"]
    start, load = result["start_dialing_ms"], result["load_campaign_ms"]
    if not start.get("count"):
        return [(name, "StartDialing lag", "none received", "", "MISSED")]
    table = [
        (name, "StartDialing lag p50", f"{start['p50']:.0f} ms",
         f"≤ {p50_ms:.0f} ms" if p50_ms else "", _verdict(p50_ms and start["p50"] <= p50_ms)),
        (name, "StartDialing lag p99", f"{start['p99']:.0f} ms",
         f"≤ {p99_ms:.0f} ms" if p99_ms else "", _verdict(p99_ms and start["p99"] <= p99_ms)),
        (name, "StartDialing lag max", f"{start['max']:.0f} ms", "", ""),
        (name, "LoadCampaign lag p50 / p99",
         f"{load.get('p50', 0):.0f} / {load.get('p99', 0):.0f} ms", "", ""),
        (name, "started / misses / twice / early",
         f"{start['count']} / {result['misses']} / {result['duplicates']} / {result['early']}",
         "all / 0 / 0 / 0",
         _verdict(result["misses"] == result["duplicates"] == result["early"] == 0)),
    ]  # fmt: skip
    writes = result["writes"]
    per_group = writes["per_run_per_group"]
    table.append(
        (name, "status writes per run per CG", f"{per_group:.2f}", "≤ 2", _verdict(per_group <= 2))
    )
    status_done, events_done = (
        writes["status_done_after_last_due_s"],
        writes["events_done_after_last_due_s"],
    )
    done = f"+{status_done:.1f} s / +{events_done:.1f} s"
    operator = result["operator"]
    table += [
        (name, "Events posted per run per CG", f"{writes['events_per_run_per_group']:.2f}", "", ""),
        (name, "CG statistics writes (paced, apart)",
         str(writes.get("campaigngroup_statistics", 0)), "", ""),
        (name, "last status / last Event written at", done, "", ""),
        (name, "operator CPU / peak RSS",
         f"{operator['cpu_s']:.1f} s / {operator['peak_rss_mb']:.0f} MB", "", ""),
    ]  # fmt: skip
    return table


def _setup_rows(result: dict[str, Any]) -> list[Row]:
    """How the operator took in the new objects before the measure (not a target)."""
    setup = result["setup"]
    writes = sum(setup["first_sight_writes"].values())
    shown = f"{setup['first_sight_s']:.0f} s, {writes} writes"
    if setup.get("groups_without_status"):
        shown += f", {setup['groups_without_status']} CGs left without status"
    if not setup["settled"]:
        shown += ", NOT settled before the due instant"
    return [(result["name"], "first sight of the new objects", shown, "", "")]


def _burst_rows(result: dict[str, Any]) -> list[Row]:
    p99 = 2000.0 if result["groups_each"] > 1 else 5000.0
    return _setup_rows(result) + _lag_rows(result, None, p99)


def _steady_rows(result: dict[str, Any]) -> list[Row]:
    return _setup_rows(result) + _lag_rows(result, 20.0, 100.0)


def _restart_rows(result: dict[str, Any]) -> list[Row]:
    name, cold, idle = result["name"], result["cold_start"], result["idle"]
    writes = cold["writes"]
    return [
        *_setup_rows(result),
        (name, "cold start: healthy", f"{cold['healthy_s']:.1f} s", "", ""),
        (name, "cold start: every status right", f"{cold['caught_up_s']:.1f} s", "≤ 30 s",
         _verdict(cold["caught_up_s"] <= 30 and cold["statuses_right"])),
        (name, "cold start: writes (objects changed)",
         f"{writes} ({cold['objects_changed']})", "0", _verdict(writes == 0)),
        (name, "idle CPU", f"{idle['cpu_percent']:.2f} %", "< 2 %",
         _verdict(idle["cpu_percent"] < 2)),
        (name, "RSS", f"{idle['rss_mb']:.0f} MB (peak {idle['peak_rss_mb']:.0f})", "≤ 300 MB",
         _verdict(idle["peak_rss_mb"] <= 300)),
    ]  # fmt: skip


def _peer_rows(result: dict[str, Any]) -> list[Row]:
    name, lag = result["name"], result["lag_s"]
    if not lag.get("count"):
        return [(name, "Job creation lag", "no Job created", "", "")]
    complete = result["jobs"] == result["cronjobs"] and not result["duplicates"]
    return [
        (name, "Job creation lag p50 / p99 / max",
         f"{lag['p50']:.0f} / {lag['p99']:.0f} / {lag['max']:.0f} s", "", ""),
        (name, "Jobs / CronJobs (twice)",
         f"{result['jobs']} / {result['cronjobs']} ({result['duplicates']})", "",
         _verdict(complete)),
        (name, "CronJob status writes / Events per run",
         f"{result['cronjob_status_writes_per_run']:.2f} / {result['events_per_run']:.2f}", "", ""),
    ]  # fmt: skip


def _ceiling_rows(result: dict[str, Any]) -> list[Row]:
    return [
        (result["name"], "simulator requests/s (starts/s at 2 requests each)",
         f"{result['requests_per_s']:.0f} ({result['requests_per_s'] / 2:.0f})", "", ""),
        (result["name"], "simulator CPU while measured",
         f"{result['simulator_cpu_percent']:.0f} % of a core", "", ""),
    ]  # fmt: skip


ROWS = {
    "burst": _burst_rows,
    "steady": _steady_rows,
    "restart": _restart_rows,
    "peer": _peer_rows,
    "ceiling": _ceiling_rows,
}


def comparisons(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our x1 bursts against the peer's runs of the same N: p50/p99 ratios, ours ÷ peer's."""
    found = []
    for ours in (r for r in results if r["scenario"] == "burst" and r["groups_each"] == 1):
        for peer in (r for r in results if r["scenario"] == "peer"):
            if peer["cronjobs"] != ours["schedules"] or not peer["lag_s"].get("count"):
                continue
            entry = {"ours": ours["name"], "peer": peer["name"]}
            for q in ("p50", "p99"):
                ms, whole = ours["start_dialing_ms"].get(q), ours["start_dialing_s"].get(q)
                peer_s = peer["lag_s"][q]
                entry[f"{q}_ours_ms"], entry[f"{q}_ours_s"], entry[f"{q}_peer_s"] = (
                    ms,
                    whole,
                    peer_s,
                )
                entry[f"{q}_ratio_ms"] = ratio(ms, peer_s * 1000)
                entry[f"{q}_ratio_s"] = ratio(whole, peer_s)
            found.append(entry)
    return found


def table(results: list[dict[str, Any]]) -> str:
    lines = [("scenario", "figure", "value", "target", ""), *rows(results)]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    text = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:4])) + " | " + line[4]
            for line in lines]  # fmt: skip
    text.insert(1, "-+-".join("-" * width for width in widths) + "-+-")
    for entry in comparisons(results):
        text.append(_comparison_line(entry))
    return "\n".join(text)


def _comparison_line(entry: dict[str, Any]) -> str:
    parts = []
    for q in ("p50", "p99"):
        ratio_s = entry[f"{q}_ratio_s"]
        ratio_ms = entry[f"{q}_ratio_ms"]
        shown_s = f"{ratio_s:.2f}" if ratio_s is not None else "n/a (peer 0 s)"
        shown_ms = f"{ratio_ms:.3f}" if ratio_ms is not None else "n/a"
        parts.append(
            f"{q} {entry[f'{q}_ours_ms']:.0f} ms ({entry[f'{q}_ours_s']:.0f} s) vs "
            f"{entry[f'{q}_peer_s']:.0f} s: ratio {shown_s} at 1 s, {shown_ms} at ms"
        )
    return f"{entry['ours']} vs {entry['peer']}: " + "; ".join(parts)
