"""Start-up, watch events, shutdown. Each handler only hands over.

Kopf runs the process (log-in, start-up and clean-up, signals, liveness); the
operator's informers watch its two kinds and their events feed the in-memory
store and wake the Schedules concerned; the reconciler's workers do the rest.
No Kopf state is stored on the objects: what the operator remembers lives in
status.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

import kopf

from outbound_scheduler.handlers import server as http
from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.handlers.informer import ADDED, DELETED, Informer
from outbound_scheduler.handlers.kube import KubeApi
from outbound_scheduler.handlers.reconcile import WRITERS, Reconciler
from outbound_scheduler.handlers.store import Store, key_of
from outbound_scheduler.handlers.tidy import tidy
from outbound_scheduler.settings import Settings

logger = logging.getLogger(__name__)


def connection(settings: kopf.OperatorSettings) -> kopf.ConnectionInfo:
    """The operator's own credentials: the pod's service account, else KUBECONFIG."""
    info = kopf.login_with_service_account(settings=settings)
    info = info or kopf.login_with_kubeconfig(settings=settings)
    if info is None:
        raise kopf.PermanentError("no Kubernetes credentials: set KUBECONFIG or run in a pod")
    return info


@kopf.on.startup()
async def start(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    settings.posting.level = logging.WARNING
    # The operator watches its kinds itself (informer.py): Kopf has nothing to discover.
    settings.scanning.disabled = True
    app: Settings = memo.settings
    # Served from the first moment (process metrics), ready once the groups are listed;
    # a start-up retried by Kopf keeps the server it already has.
    server = memo.get("metrics") or await http.serve(app.metrics_address, app.metrics_port)
    memo.metrics = server
    api = KubeApi(connection(settings))
    store = Store(app)
    reconciler = Reconciler(app, store, Executor(app), api)
    namespaces = app.namespaces or [None]
    groups = [
        Informer(api, "campaigngroups", namespace, partial(group_event, reconciler))
        for namespace in namespaces
    ]
    schedules = [
        Informer(api, "schedules", namespace, partial(schedule_event, reconciler))
        for namespace in namespaces
    ]
    # CampaignGroups first: a Schedule reconciled before its groups are known
    # would report them missing and write a false Error.
    for informer in groups:
        await informer.list()
    api.hold_events_while(reconciler.queue.until_idle)
    memo.reconciler = reconciler
    server.watch(store, reconciler.observer.pushed, set(app.ocs_endpoints))
    memo.tasks = [
        asyncio.create_task(informer.run(), name=f"watching {informer.plural}")
        for informer in groups + schedules
    ]
    memo.tasks += [
        asyncio.create_task(reconciler.queue.run_timer(), name="due timer"),
        asyncio.create_task(reconciler.observer.run(store.held_groups), name="ocs poller"),
        asyncio.create_task(tidy(reconciler.queue, lambda: reconciler.passes), name="tidy"),
        asyncio.create_task(reconciler.prepare_for_openings(), name="ocs connections ahead"),
        asyncio.create_task(reconciler.record_passes(), name="recorder"),
    ]
    memo.tasks += [
        asyncio.create_task(reconciler.work(), name=f"worker {n}") for n in range(app.workers)
    ]
    memo.tasks += [
        asyncio.create_task(reconciler.writes.run(), name=f"writer {n}") for n in range(WRITERS)
    ]
    logger.info("operator started: ocs endpoints %s", sorted(app.ocs_endpoints))


@kopf.on.cleanup()
async def stop(memo: kopf.Memo, **_: Any) -> None:
    for task in memo.get("tasks", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    reconciler: Reconciler | None = memo.get("reconciler")
    if reconciler is not None:
        await reconciler.executor.close()
        await reconciler.writer.close()
    server: http.OperatorServer | None = memo.get("metrics")
    if server is not None:
        await server.close()


def schedule_event(reconciler: Reconciler, type_: str, body: dict[str, Any]) -> None:
    key = key_of(body)
    if type_ == DELETED:
        reconciler.forget_schedule(key, body["metadata"]["uid"])
    elif reconciler.store.put_schedule(body):
        reconciler.queue.add(key)


def group_event(reconciler: Reconciler, type_: str, body: dict[str, Any]) -> None:
    key = key_of(body)
    if type_ == DELETED:
        reconciler.store.drop_group(key)
        changed = True
    else:
        changed = reconciler.store.put_group(body)
        if changed or type_ == ADDED:
            reconciler.sync_group(key, datetime.now(UTC))  # written only if it changed
    if changed:
        for schedule in reconciler.store.schedules_naming(key):
            reconciler.queue.add(schedule)
