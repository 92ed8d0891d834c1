"""How a forecast's candidates are handed out to its workers does not change which are
kept: they are read back in order, one at a time, whatever the chunks, how far ahead
they run, or where; and a worker that dies ends the forecast with an error."""

from __future__ import annotations

import os
import sys
from functools import partial
from types import SimpleNamespace

import pytest

from simulator.exercise.branches import BranchRunner
from simulator.exercise.forecast import PILOT, _accepted


class _Verdicts:
    """A runner whose tested candidates fit the story by a fixed pattern, handing them out in
    chunks of `chunk` at most `ahead` beyond those read, and recording what it was
    asked to run and how far ahead of the reading it was."""

    def __init__(self, fits, chunk, ahead, time_s=1.0):
        self.fits = fits
        self.chunk, self.ahead = chunk, ahead
        self.work = SimpleNamespace(time_s=time_s)
        self.handed: list[range] = []
        self.tested: list[bool] = []
        self.read = 0
        self.most_ahead = 0

    def hand_out(self, branches, pinned, tested=True):
        self.handed.append(branches)
        self.tested.append(tested)
        self.most_ahead = max(self.most_ahead, branches.stop - self.read)
        return partial(self._run, branches, tested)

    def _run(self, branches, tested):
        self.read += len(branches)
        return [(not tested or self.fits(branch), {"option": {"branch": branch}})
                for branch in branches]


def _one_by_one(fits, wanted, max_attempts):
    """The acceptance rule read one candidate at a time (the module's contract)."""
    accepted, tried, pilot = [], 0, min(wanted, PILOT)
    while len(accepted) < wanted and tried < max_attempts:
        tried += 1
        if fits(tried - 1):
            accepted.append(tried - 1)
        if tried == pilot and (not accepted
                               or wanted * tried / len(accepted) > max_attempts * 1.2):
            break
    return accepted, tried


@pytest.mark.parametrize("fits", [lambda b: True, lambda b: b % 5 != 3, lambda b: b % 7 == 0,
                                  lambda b: b % 40 == 1, lambda b: False,
                                  lambda b: b > 60 and b % 2 == 0])
@pytest.mark.parametrize("chunk, ahead", [(1, 1), (10, 40), (7, 50)])
def test_candidates_handed_out_in_chunks_are_kept_as_if_read_one_by_one(fits, chunk, ahead):
    for wanted in (1, 30, 120):
        runner = _Verdicts(fits, chunk, ahead)
        accepted, tried, rows = _accepted(runner, {}, wanted, 4 * wanted)
        assert (accepted, tried) == _one_by_one(fits, wanted, 4 * wanted)
        assert rows == [{"option": {"branch": branch}} for branch in accepted]
        starts = [branches.start for branches in runner.handed]
        assert starts == sorted(starts) and starts[0] == 0  # consecutive, each once
        assert all(len(branches) <= chunk for branches in runner.handed)
        assert runner.most_ahead <= ahead and runner.handed[-1].stop <= 4 * wanted
        assert all(runner.tested)


def test_when_every_candidate_fits_few_more_are_run_than_are_kept():
    runner = _Verdicts(lambda b: True, 10, 40)
    accepted, _, _ = _accepted(runner, {}, 300, 1200)
    assert len(accepted) == 300 and runner.handed[-1].stop <= 310


def test_at_time_0_every_candidate_is_kept_untested_and_no_more_run():
    runner = _Verdicts(lambda b: False, 10, 40, time_s=0.0)
    accepted, tried, rows = _accepted(runner, {}, 25, 100)
    assert (accepted, tried) == (list(range(25)), 25)
    assert rows == [{"option": {"branch": branch}} for branch in range(25)]
    assert runner.handed[-1].stop == 25 and not any(runner.tested)


class _DyingWork:
    """Work whose chunks end their worker as the kernel's out-of-memory killer would."""

    def trials(self, branches, pinned, tested=True):
        import signal

        if pinned.get("die"):
            os.kill(os.getpid(), signal.SIGKILL)
        return [(True, {}) for _ in branches]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux only")
def test_a_worker_that_dies_ends_the_forecast_with_an_error_not_a_wait():
    from concurrent.futures.process import BrokenProcessPool

    with BranchRunner(_DyingWork(), workers=2) as runner:
        assert len(runner.hand_out(range(8), {})()) == 8
    with pytest.raises(BrokenProcessPool), BranchRunner(_DyingWork(), workers=2) as runner:
        runner.hand_out(range(8), {"die": True})()
