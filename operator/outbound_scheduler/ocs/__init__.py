"""The `ocs` layer: talking to Genesys Outbound Contact Server, and a simulator of it.

`client` defines what can be asked of OCS (`OcsDialect`) and the answers and errors;
`genesys_http` is the HTTP dialect; `control` composes requests into what schedules need
(ensure running, loaded, stopped); `codes` maps wire codes to names; `simulator` is a real
HTTP server standing in for OCS. This layer imports nothing from the rest of the operator.
"""

from outbound_scheduler.ocs.client import (
    CampaignGroupStatus,
    ModeLike,
    OcsConflict,
    OcsDialect,
    OcsError,
    OcsNotFound,
    OcsUnavailable,
    Optimization,
)
from outbound_scheduler.ocs.codes import (
    DRAINING_STATES,
    LOADED_STATES,
    CampaignGroupState,
    DialingMode,
    OptimizationMethod,
    dialing_mode,
    optimization_method,
)
from outbound_scheduler.ocs.control import (
    Outcome,
    ensure_loaded,
    ensure_running,
    ensure_stopped,
    force_stop,
    set_mode,
)
from outbound_scheduler.ocs.genesys_http import GenesysHttpDialect, RetryPolicy, parse_push

__all__ = [
    "DRAINING_STATES",
    "LOADED_STATES",
    "CampaignGroupState",
    "CampaignGroupStatus",
    "DialingMode",
    "GenesysHttpDialect",
    "ModeLike",
    "OcsConflict",
    "OcsDialect",
    "OcsError",
    "OcsNotFound",
    "OcsUnavailable",
    "Optimization",
    "OptimizationMethod",
    "Outcome",
    "RetryPolicy",
    "dialing_mode",
    "ensure_loaded",
    "ensure_running",
    "ensure_stopped",
    "force_stop",
    "optimization_method",
    "parse_push",
    "set_mode",
]
