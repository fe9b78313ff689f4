"""The simulator's own ceiling: OCS requests per second it answers with nothing else to do.

Run as a separate process (`python -m bench.ceiling --url ... --first-dbid ...`), so
that the load and the measuring do not share an interpreter with the benchmark; the
benchmark starts it against its simulator before any scenario, with Campaign Groups
of its own. A third of the requests are LoadCampaign, the rest GetCampaignStatus, the
mix of requests an operator sends (loads, then status reads). The loop is bounded: a fixed number of
requests, then it prints one JSON line and exits. On 2 cores the load generator
takes CPU from the simulator, so the figure is a floor, not the true ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.stack import Stack
from outbound_scheduler.ocs.http import HttpClient, HttpError


async def hammer(url: str, first_dbid: int, groups: int, requests: int, concurrency: int) -> dict:
    errors = 0
    next_index = 0
    # The operator's own client: a heavier one would be the limit here, not the simulator.
    client = HttpClient(url, timeout=10.0)

    async def worker() -> None:
        nonlocal errors, next_index
        while next_index < requests:
            index, next_index = next_index, next_index + 1
            dbid = first_dbid + index % groups
            try:
                if index < groups:
                    answer = await client.request(
                        "POST", f"/campaigngroups/{dbid}?req=LoadCampaign", b"{}"
                    )
                else:
                    answer = await client.request(
                        "GET", f"/campaigngroups/{dbid}?req=GetCampaignStatus"
                    )
                errors += answer.status >= 400
            except HttpError:
                errors += 1

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.monotonic() - began
    await client.close()
    return {
        "requests": requests,
        "errors": errors,
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "requests_per_s": round(requests / seconds, 1),
    }


async def measure(stack: Stack, requests: int, concurrency: int = 64) -> dict[str, Any]:
    """Register groups, run the load generator as a child process, read its answer."""
    assert stack.ocs is not None
    groups = max(1, requests // 3)
    first = 900_000
    await stack.ocs.register(list(range(first, first + groups)))
    argv = [
        sys.executable, "-m", "bench.ceiling", "--url", stack.ocs.url,
        "--first-dbid", str(first), "--groups", str(groups),
        "--requests", str(requests), "--concurrency", str(concurrency),
    ]  # fmt: skip
    before = stack.cpu_seconds()["ocs-simulator"]
    process = stack.spawn("ceiling", argv)
    await asyncio.to_thread(process.wait)
    busy = stack.cpu_seconds()["ocs-simulator"] - before
    await stack.ocs.clear()  # its requests are no scenario's
    answer = last_line(stack.work_dir / "ceiling.log")
    if process.returncode != 0 or not answer:
        raise RuntimeError(f"the load generator failed; see {stack.work_dir / 'ceiling.log'}")
    figures = json.loads(answer)

    # Near 100 %, the simulator is the limit; well under, the load generator is.
    figures["simulator_cpu_percent"] = round(100 * busy / figures["seconds"], 1)
    return {"scenario": "ceiling", "name": "OCS simulator ceiling", **figures}


def last_line(path: Path) -> str:
    lines = path.read_text().strip().splitlines()
    return lines[-1] if lines else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the simulator's base URL (loopback)")
    parser.add_argument("--first-dbid", type=int, required=True)
    parser.add_argument("--groups", type=int, required=True, help="registered DBIDs from the first")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    result = asyncio.run(
        hammer(args.url, args.first_dbid, args.groups, args.requests, args.concurrency)
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
