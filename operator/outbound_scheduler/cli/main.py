"""Command-line entry point: parses arguments and hands over to one subcommand."""

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from outbound_scheduler.cli.preview import add_preview_parser
from outbound_scheduler.settings import ENV_PREFIX, OcsEndpoint, Settings


def parse_endpoint(text: str) -> tuple[str, str]:
    name, sep, url = text.partition("=")
    if not sep or not name or not url:
        raise argparse.ArgumentTypeError(f"{text!r}: write an OCS endpoint as NAME=URL")
    return name, url


def with_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    """The settings from the environment, plus the endpoints and namespaces given as flags."""
    extra = {name: OcsEndpoint(url=url) for name, url in args.ocs or []}
    return settings.model_copy(
        update={
            "ocs_endpoints": {**settings.ocs_endpoints, **extra},
            "namespaces": [*settings.namespaces, *(args.namespace or [])],
        }
    )


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop where it is installed: its sockets and callbacks cost a fraction
    of asyncio's own, which is most of a start's CPU at a burst; asyncio's loop elsewhere."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def command_run(args: argparse.Namespace) -> int:
    """Run the operator against the cluster KUBECONFIG (or the pod's service account) names."""
    import kopf

    import outbound_scheduler.handlers.operator  # noqa: F401 - registers the handlers

    try:
        settings = with_flags(Settings(), args)
    except ValidationError as error:
        print(f"invalid settings ({ENV_PREFIX}* or flags):\n{error}", file=sys.stderr)
        return 2
    log_format = kopf.LogFormat.JSON if settings.log_format == "json" else kopf.LogFormat.PLAIN
    kopf.configure(verbose=args.verbose, log_format=log_format)
    if not args.verbose:
        # Kopf reports every watch event it handled; at thousands of objects that is noise.
        logging.getLogger("kopf").setLevel(logging.WARNING)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    operator = kopf.operator(
        memo=kopf.Memo(settings=settings),
        standalone=True,
        clusterwide=not settings.namespaces,
        namespaces=settings.namespaces,
        liveness_endpoint=args.liveness,
    )
    with contextlib.suppress(asyncio.CancelledError):  # stopped by a signal
        run_loop(operator)
    return 0


def command_simulator(args: argparse.Namespace) -> int:
    """Serve the OCS simulator until interrupted."""
    from outbound_scheduler.ocs.simulator import serve_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_loop(serve_forever(args.host, args.port, args.campaign_groups, args.status_push_uri))
    return 0


def command_crds(args: argparse.Namespace) -> int:
    """Write the CustomResourceDefinitions, one file per kind, or print them."""
    from outbound_scheduler.models.crd import all_crds

    for crd in all_crds():
        text = yaml.safe_dump(crd, sort_keys=False, width=100)
        if args.output is None:
            sys.stdout.write("---\n" + text)
            continue
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / f"{crd['metadata']['name']}.yaml").write_text(text)
    return 0


def command_dev(args: argparse.Namespace) -> int:
    from outbound_scheduler.cli.dev import run_dev

    return run_dev(args.examples)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="outbound-scheduler", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the operator")
    run.add_argument(
        "--ocs",
        action="append",
        type=parse_endpoint,
        metavar="NAME=URL",
        help="an OCS endpoint (repeatable), added to OUTBOUND_SCHEDULER_OCS_ENDPOINTS",
    )
    run.add_argument(
        "--namespace",
        action="append",
        metavar="NS",
        help="watch this namespace (repeatable), added to OUTBOUND_SCHEDULER_NAMESPACES; "
        "default: all",
    )
    run.add_argument(
        "--liveness", metavar="URL", help="serve a liveness probe, e.g. http://0.0.0.0:8080/healthz"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="log more")
    run.set_defaults(handler=command_run)

    dev = commands.add_parser(
        "dev", help="local control plane + OCS simulator + operator + examples"
    )
    dev.add_argument(
        "--examples",
        type=Path,
        default=Path("manifests/examples"),
        help="directory of manifests to apply (default: manifests/examples)",
    )
    dev.set_defaults(handler=command_dev)

    simulator = commands.add_parser("ocs-simulator", help="serve the OCS simulator")
    simulator.add_argument("--host", default="127.0.0.1")
    simulator.add_argument("--port", type=int, default=8090)
    simulator.add_argument(
        "--campaign-groups",
        type=Path,
        metavar="FILE",
        help="YAML or JSON list of campaign groups to know at start-up",
    )
    simulator.add_argument("--status-push-uri", metavar="URI", help="where to POST status pushes")
    simulator.set_defaults(handler=command_simulator)

    add_preview_parser(commands)

    crds = commands.add_parser("crds", help="print the CRDs, or write them to a directory")
    crds.add_argument("-o", "--output", type=Path, metavar="DIR")
    crds.set_defaults(handler=command_crds)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
