"""An OCS simulator: a real aiohttp server speaking the HTTP dialect of `genesys_http`.

It models the campaign-group state machine with its load and drain delays, dialing progress
and auto-completion, the status push, and an admin API (`/admin/`) for setting up CGs,
playing a person in CX Contact, reading the request log and injecting faults.

    simulator = Simulator([{"dbid": 1042, "records": 500, "dialingRate": 50}], load_delay=0.05)
    base_url = await simulator.start()        # http://127.0.0.1:<free port>
    ...
    await simulator.stop()
"""

from outbound_scheduler.ocs.simulator.model import CampaignGroup, OcsModel, Timing
from outbound_scheduler.ocs.simulator.progress import (
    Progress,
    Statistics,
    dialing_progress,
    dialing_statistics,
    running_time_to_exhaust,
)
from outbound_scheduler.ocs.simulator.server import (
    Faults,
    Simulator,
    load_seed_file,
    serve_forever,
    utc_timestamp,
)

__all__ = [
    "CampaignGroup",
    "Faults",
    "OcsModel",
    "Progress",
    "Simulator",
    "Statistics",
    "Timing",
    "dialing_progress",
    "dialing_statistics",
    "load_seed_file",
    "running_time_to_exhaust",
    "serve_forever",
    "utc_timestamp",
]
