"""Compare end to end: two engine processes (tiny models) advance together, pause at the same step, `n` moves
both by exactly one step, B sees A's batches and weights, and `e` through A writes both snapshots and the figure."""

import asyncio
import dataclasses
import multiprocessing as mp
import time

import pytest

from rnnscope.compare.lockstep import LEAD, shared_slots
from rnnscope.contracts import commands
from rnnscope.contracts.frames import PAUSED, RUNNING
from rnnscope.contracts.parts import PartStore
from rnnscope.runner.compare_tui import compare_clients
from rnnscope.training.data import load_corpus
from tests.core_fixtures import tiny_config, write_corpus

TIMEOUT_S = 90.0  # two spawned processes importing torch on two shared cores


class Pair:
    """Both clients connected on the running loop, each side's latest frame kept."""

    def __init__(self, clients):
        self.clients, self.stores = clients, {side: PartStore() for side in clients}
        self.failures, self.changed = [], asyncio.Event()
        for side, client in clients.items():
            client.connect(lambda updates, side=side: self._deliver(side, updates), self.failures.append)

    def _deliver(self, side, updates):
        for update in updates:
            self.stores[side].receive(update)
        self.changed.set()

    def frame(self, side):
        return self.stores[side].frame()

    async def until(self, condition, what):
        deadline = time.monotonic() + TIMEOUT_S
        while not (all(self.frame(s) is not None for s in self.clients) and condition()):
            assert not self.failures, self.failures
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 0.5)
            except TimeoutError:
                pass

    def steps(self):
        return self.frame("a").status.step, self.frame("b").status.step

    def states(self):
        return self.frame("a").status.state, self.frame("b").status.state


def _lead_seen(slot_a, slot_b) -> int:
    """How far one run is ahead of the other, read so that the first read is still true after the second."""
    while True:
        a, b, a_again = slot_a[0], slot_b[0], slot_a[0]
        if a == a_again:
            return abs(a - b)


@pytest.mark.slow
def test_two_processes_advance_together_and_n_moves_both_by_one(tmp_path):
    corpus_path = write_corpus(tmp_path)
    config_a = tiny_config(corpus_path)
    config_b = dataclasses.replace(config_a, clip=None)
    slots = shared_slots(mp.get_context("spawn"))
    clients = compare_clients(config_a, config_b, load_corpus(corpus_path), tmp_path / "run", start_paused=True,
                              slots=slots)
    for client in clients.values():
        client.start()

    async def scenario():
        pair = Pair(clients)
        await pair.until(lambda: True, "both first frames")
        for client in clients.values():
            client.send(commands.TogglePause())
        leads = []
        while min(slots[0][0], slots[1][0]) < 60:
            leads.append(_lead_seen(*slots))
            await asyncio.sleep(0.001)
        for client in clients.values():  # space on the compare screen: pause both
            client.send(commands.TogglePause())
        await pair.until(lambda: pair.states() == (PAUSED, PAUSED) and len(set(pair.steps())) == 1,
                         "both paused at one step")
        paused_at = pair.steps()
        await asyncio.sleep(0.3)  # nothing moves while paused
        await pair.until(lambda: True, "")
        still = pair.steps()
        for client in clients.values():  # n
            client.send(commands.Step())
        await pair.until(lambda: pair.steps() == (paused_at[0] + 1,) * 2, "one step of both")
        await asyncio.sleep(0.3)
        after_n = pair.steps()
        clients["a"].send(commands.Export())  # e: A leads, B follows, A draws the figure
        await pair.until(lambda: "compare figure" in (pair.frame("a").notice.text if pair.frame("a").notice else ""),
                         "the compare figure")
        frames = pair.frame("a"), pair.frame("b")
        for client in clients.values():
            client.stop()
        return leads, paused_at, still, after_n, frames

    leads, paused_at, still, after_n, (frame_a, frame_b) = asyncio.run(scenario())
    for client in clients.values():
        client.finish()
    assert len(leads) > 10 and max(leads) <= LEAD
    assert paused_at[0] == paused_at[1] >= 60 and still == paused_at
    assert after_n == (paused_at[0] + 1,) * 2
    # B trained on A's batches from A's initial weights: the first step's loss (before any update) is A's.
    assert frame_a.loss_history[0, 1] == frame_b.loss_history[0, 1]
    assert frame_b.status.config.clip is None and frame_a.status.config.clip == config_a.clip
    step = after_n[0]
    run = tmp_path / "run"
    assert (run / "a" / f"step-{step:06d}").is_dir() and (run / "b" / f"step-{step:06d}").is_dir()
    assert (run / f"compare-step-{step:06d}.png").stat().st_size > 0
    assert frame_a.status.state == frame_b.status.state == PAUSED != RUNNING
