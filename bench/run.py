"""The scale benchmark, one command: the product and the CronJob controller, at size N.

    .venv/bin/python -m bench.run                      # quick: every scenario at N = 1,000
    .venv/bin/python -m bench.run --full               # the issue's sizes (about an hour)
    .venv/bin/python -m bench.run --only burst --burst 200 --groups 1,3

It starts a local control plane, the OCS simulator and the operator as a user runs
them (kube-controller-manager too, for the peer), runs the scenarios selected, and
prints a table of figures beside the issue's targets, then the same as JSON (also
written to `--json FILE`). Everything it started is stopped when it ends. Run it
alone on the machine: figures taken while tests or builds run are not figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import ceiling, cronjob_peer, report, restart, scenarios
from bench.stack import Stack

SCENARIOS = ("ceiling", "burst", "steady", "restart", "peer")
FULL = {
    "burst": "10000",
    "groups": "1,3",
    "burst3": "1000",
    "steady": "10000",
    "steady_seconds": 600.0,
    "restart": "10000",
    "peer": "1000,10000",
}


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    add = cli.add_argument
    add("--only", default=",".join(SCENARIOS), help=f"scenarios to run, of {', '.join(SCENARIOS)}")
    add("--full", action="store_true", help="the issue's sizes (flags given as well win)")
    add(
        "--burst",
        default="1000",
        help="burst sizes: Schedules due at one instant (e.g. 1000,10000)",
    )
    add("--groups", default="1,3", help="Campaign Groups per Schedule in bursts (1 and/or 3)")
    add("--burst3", default="1000", help="Schedules of the bursts with more than one group each")
    add("--steady", default="1000", help="Schedules x 3 groups in the steady scenario")
    add("--steady-seconds", type=float, default=120.0, help="span of the steady openings")
    add("--restart", default="1000", help="Schedules present at the cold start and idle")
    add("--idle-seconds", type=float, default=30.0, help="how long idle CPU is averaged")
    add("--peer", default="1000", help="CronJob counts for the peer")
    add("--peer-settings", default="default,tuned", help="kube-controller-manager settings")
    add("--ceiling-requests", type=int, default=20_000, help="requests of the simulator ceiling")
    add("--load-delay", type=float, default=0.0, help="the simulator's load delay, seconds")
    add("--lead", type=float, help="seconds from creation to the first opening (default: by N)")
    add("--operator-env", action="append", default=[], metavar="KEY=VALUE",
        help="an OUTBOUND_SCHEDULER_* setting for the operator (repeatable)")  # fmt: skip
    add("--profile", action="store_true",
        help="sample the operator with py-spy while measuring (needs py-spy)")  # fmt: skip
    add("--json", type=Path, metavar="FILE", help="also write the results here")
    add("--work-dir", type=Path, help="keep logs here (default: a temporary directory)")
    return cli


def with_full(args: argparse.Namespace, given: list[str]) -> argparse.Namespace:
    """`--full` sets the issue's sizes, except those given on the command line."""
    flags = {word.split("=", 1)[0] for word in given if word.startswith("--")}
    if args.full:
        for key, value in FULL.items():
            if f"--{key.replace('_', '-')}" not in flags:
                setattr(args, key, value)
    return args


async def run_all(stack: Stack, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each selected scenario in turn, the peer first while the API server holds nothing else."""
    wanted = set(args.only.split(","))
    results: list[dict[str, Any]] = []
    assert stack.ocs is not None
    await stack.ocs.configure(loadDelay=args.load_delay)
    steps = []
    if "ceiling" in wanted:
        steps.append(lambda: ceiling.measure(stack, args.ceiling_requests))
    if "peer" in wanted:
        for count in sizes(args.peer):
            for settings in args.peer_settings.split(","):
                steps.append(lambda c=count, s=settings: peer(stack, c, s))
    if "burst" in wanted:
        for groups in sizes(args.groups):
            for count in sizes(args.burst) if groups == 1 else sizes(args.burst3):
                steps.append(lambda c=count, g=groups: scenarios.burst(stack, c, g, args.lead))
    if "steady" in wanted:
        for count in sizes(args.steady):
            steps.append(
                lambda c=count: scenarios.steady(stack, c, args.steady_seconds, 3, args.lead)
            )
    if "restart" in wanted:
        for count in sizes(args.restart):
            steps.append(lambda c=count: restart.restart(stack, c, args.idle_seconds))
    for step in steps:
        results.append(await step())
        print(report.table(results[-1:]), file=sys.stderr, flush=True)
        if args.json:  # each scenario kept as soon as measured: a later one may fail
            args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results


async def peer(stack: Stack, count: int, settings: str) -> dict[str, Any]:
    armed = await cronjob_peer.arm(stack, count, settings)
    return await cronjob_peer.collect(stack, armed)


def tree() -> dict[str, Any]:
    """Which operator was measured: the commit, and files changed since (read-only git calls)."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "operator").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "operator_changes": changed}


def machine() -> dict[str, Any]:
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


async def main_async(args: argparse.Namespace, work_dir: Path) -> dict[str, Any]:
    env = dict(pair.split("=", 1) for pair in args.operator_env)
    measured = tree()  # at the start: others may commit while it runs
    async with Stack(work_dir, env, args.profile) as stack:
        results = await run_all(stack, args)
    return {
        "machine": machine(),
        "tree": measured,
        "load_delay_s": args.load_delay,
        "operator_env": env,
        "results": results,
        "comparisons": report.comparisons(results),
    }


def main(argv: list[str] | None = None) -> int:
    given = argv if argv is not None else sys.argv[1:]
    args = with_full(parser().parse_args(given), given)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="outbound-scheduler-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"logs in {work_dir}", file=sys.stderr)
    outcome = asyncio.run(main_async(args, work_dir))
    print(report.table(outcome["results"]))
    print(json.dumps(outcome, default=str))
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
