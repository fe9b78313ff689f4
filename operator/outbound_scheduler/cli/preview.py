"""`outbound-scheduler preview`: a Schedule manifest's coming windows, without a cluster.

Reads one or more YAML documents, takes every Schedule among them, validates
its spec exactly as the operator does, and lists the windows and skipped
openings `timing.preview` computes: a table per Campaign Group entry (the
windows are the Schedule's, the same for each entry, but people look them up
by group), or with `-o json` one JSON list for scripts. The only clock read is
the default for `--from`.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import yaml

from outbound_scheduler.models import AllowedHours, ScheduleSpec, SpecError, parse_spec
from outbound_scheduler.timing import PreviewItem, preview, schedule_text, window_text

TIME_FORMAT = "%Y-%m-%d %H:%M %Z"


def add_preview_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `preview` subcommand to the CLI's subparsers."""
    command = subparsers.add_parser(
        "preview", help="list a Schedule's next windows and skipped dates (no cluster needed)"
    )
    command.add_argument(
        "-f",
        "--filename",
        required=True,
        metavar="FILE",
        help="Schedule manifest (YAML); - reads stdin",
    )
    command.add_argument(
        "--from",
        dest="start",
        type=rfc3339,
        metavar="T",
        help="list from this RFC 3339 instant, e.g. 2026-12-01T00:00:00Z (default: now)",
    )
    command.add_argument(
        "--count", type=positive, default=10, metavar="N", help="windows per entry (default: 10)"
    )
    command.add_argument(
        "-o", "--output", choices=("table", "json"), default="table", help="output format"
    )
    command.add_argument(
        "--allowed-hours",
        type=hours_range,
        metavar="HH:MM-HH:MM",
        help="a cluster-wide calling-hours guard to apply as well, e.g. 08:00-21:00",
    )
    command.set_defaults(handler=command_preview)
    return command


def rfc3339(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an RFC 3339 instant; write e.g. 2026-12-01T09:00:00Z or "
            "2026-12-01T09:00:00+01:00"
        )
    return instant.astimezone(UTC)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def hours_range(text: str) -> AllowedHours:
    start, sep, end = text.partition("-")
    try:
        if not sep:
            raise SpecError("write it as FROM-TO")
        return parse_spec(AllowedHours, {"from": start, "to": end})
    except SpecError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def command_preview(args: argparse.Namespace) -> int:
    """Print the coming windows of every Schedule in the file; 2 when it cannot be read."""
    try:
        schedules = read_schedules(args.filename)
    except (OSError, yaml.YAMLError, SpecError) as error:
        print(f"preview: {error}", file=sys.stderr)
        return 2
    start = args.start or datetime.now(UTC)
    listed = [
        (name, spec, preview(spec, start, args.count, args.allowed_hours))
        for name, spec in schedules
    ]
    if args.output == "json":
        records = [
            {"schedule": name, "campaignGroup": entry.name, **item.record()}
            for name, spec, items in listed
            for entry in spec.campaign_groups
            for item in items
        ]
        json.dump(records, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for name, spec, items in listed:
        for entry in spec.campaign_groups:
            print_table(sys.stdout, name, entry.name, spec, items)
    return 0


def read_schedules(filename: str) -> list[tuple[str, ScheduleSpec]]:
    """Every Schedule document in the file, its spec validated; SpecError names the first
    invalid one."""
    text = sys.stdin.read() if filename == "-" else Path(filename).read_text()
    schedules = []
    for document in yaml.safe_load_all(text):
        if not isinstance(document, dict) or document.get("kind") != "Schedule":
            continue
        name = (document.get("metadata") or {}).get("name", "<unnamed>")
        try:
            schedules.append((name, parse_spec(ScheduleSpec, document.get("spec"))))
        except SpecError as error:
            raise SpecError(f"Schedule {name}: {error}") from None
    if not schedules:
        raise SpecError(f"{filename}: no document of kind Schedule")
    return schedules


def print_table(
    out: TextIO, name: str, group: str, spec: ScheduleSpec, items: list[PreviewItem]
) -> None:
    """One entry's windows: local times, UTC times, and notes (clipped, skipped, DST)."""
    zone = spec.time_zone
    out.write(f"{name} / {group}: {schedule_text(spec)}, {window_text(spec)} ({zone})\n")
    rows = [(f"START ({zone})", f"END ({zone})", "START (UTC)", "END (UTC)", "NOTE")]
    for item in items:
        local_end, end = item.local_end, item.end
        notes = [
            f"skipped: {item.skipped}" if item.skipped else "",
            "clipped to allowed hours" if item.clipped else "",
            f"clocks {item.dst_shift}" if item.dst_shift else "",
        ]
        rows.append(
            (
                item.local_start.strftime(TIME_FORMAT),
                local_end.strftime(TIME_FORMAT) if local_end is not None else "-",
                item.start.astimezone(UTC).strftime(TIME_FORMAT),
                end.astimezone(UTC).strftime(TIME_FORMAT) if end is not None else "-",
                "; ".join(note for note in notes if note),
            )
        )
    if not items:
        rows.append(("(no windows)", "", "", "", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[4]]).rstrip() + "\n")
    out.write("\n")
