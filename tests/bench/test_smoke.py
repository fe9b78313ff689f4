"""Every benchmark scenario at a small size: the product is right, whatever its speed."""

import pytest

from tests.bench.conftest import SCHEDULES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("scenario", "groups"), [("burst", 1), ("burst3", 3), ("steady", 3)])
def test_every_due_group_starts_once_and_never_early(results, scenario, groups):
    """Each due Campaign Group gets exactly one StartDialing, none before its instant."""
    result = results[scenario]
    assert result["start_dialing_ms"]["count"] == SCHEDULES * groups
    assert (result["misses"], result["duplicates"], result["early"]) == (0, 0, 0)
    assert result["start_dialing_ms"]["min"] >= 0
    assert result["load_campaign_ms"]["min"] >= 0


@pytest.mark.parametrize("scenario", ["burst", "burst3", "steady"])
def test_a_run_writes_at_most_two_statuses_per_group(results, scenario):
    """The write budget: at most 2 status writes per run per Campaign Group, Events aside."""
    assert results[scenario]["writes"]["per_run_per_group"] <= 2


def test_cold_start_with_nothing_due_writes_nothing(results):
    """A restarted operator among settled Schedules leaves every object as it was."""
    cold = results["restart"]["cold_start"]
    assert cold["writes"] == 0
    assert cold["objects_changed"] == 0
    assert cold["statuses_right"]


def test_the_cronjob_peer_creates_one_job_per_cronjob(results):
    """kube-controller-manager made exactly one Job for each CronJob, none before it was due."""
    peer = results["peer"]
    assert peer["jobs"] == peer["cronjobs"] == SCHEDULES
    assert (peer["duplicates"], peer["early"]) == (0, 0)


def test_the_simulator_ceiling_is_measured(results):
    """The load generator ran to its end and the simulator answered every request."""
    ceiling = results["ceiling"]
    assert ceiling["errors"] == 0
    assert ceiling["requests_per_s"] > 0
