"""The side budget: timed kinds, medians, the share of time beside training, and what fits."""

import pytest

from rnnscope.training.side_budget import KINDS, PLANNED, SideBudget


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_timed_adds_the_block_time_to_its_kind_even_when_it_raises():
    clock = FakeClock()
    side = SideBudget(clock=clock)
    side.add_training(1.0)  # past start-up
    with side.timed("timeline"):
        clock.now += 0.25
    with pytest.raises(RuntimeError), side.timed("probe"):
        clock.now += 0.5
        raise RuntimeError("a failing pass still took its time")
    assert side.spent["timeline"] == 0.25 and side.spent["probe"] == 0.5 and side.side_s == 0.75
    with pytest.raises(KeyError):
        with side.timed("typo"):
            pass


def test_timings_are_medians_per_kind_and_the_share_of_time_beside_training():
    side = SideBudget()
    side.add("sample", 0.005)  # before the first step: start-up, not charged (its cost is known)
    for seconds in (0.010, 0.012, 0.011, 0.5):  # one slow step does not move the median
        side.add_training(seconds)
    side.add("probe", 1.0)  # a cold first probe ...
    side.add("probe", 0.05)
    side.add("probe", 0.06)  # ... the median is of the three
    timings = side.timings()
    assert set(timings) == {f"{kind}_ms" for kind in ("train_step", *KINDS)} | {"side_share"}
    assert timings["train_step_ms"] == pytest.approx(11.5) and timings["probe_ms"] == pytest.approx(60.0)
    assert timings["validation_ms"] is None  # none ran: no number invented
    assert timings["side_share"] == pytest.approx(1.11 / (1.11 + 0.533), abs=1e-5) and side.outside_s == 0.005
    assert timings["sample_ms"] == pytest.approx(5.0)


def test_affords_keeps_everything_beside_training_within_the_budget_at_the_median_cost():
    side = SideBudget(budget=0.03)
    side.add_training(100.0 / PLANNED)  # 3 s of planned room
    side.add("probe", 2.0)  # a slow pass
    side.add("probe", 0.1)
    side.add("probe", 0.1)  # 2.2 s spent
    assert side.expected("probe") == pytest.approx(0.1)
    assert side.affords("probe")  # 2.2 + 0.1 <= 3.0
    side.add("sample", 0.75)  # 2.95 spent
    assert not side.affords("probe") and side.affords("validation")  # nothing known of validation yet: 0 s


def test_a_kind_outside_the_priority_keeps_to_its_own_third_of_the_budget():
    side = SideBudget(budget=0.03)
    side.add_training(100.0 / PLANNED)  # 3 s of planned room, 1 s of it memory's own
    side.add("memory", 0.3)
    side.add("memory", 0.3)
    assert side.affords("memory")  # its own 0.6 + 0.3 <= 1 s
    side.add("memory", 0.3)
    assert not side.affords("memory")  # its own 0.9 + 0.3 > 1 s, though 1.2 <= 3 s in all
    assert side.affords("probe")


def test_the_kinds_ahead_in_priority_keep_their_room_and_a_list_of_kinds_is_costed_together():
    side = SideBudget(budget=0.03)
    side.add_training(100.0 / PLANNED)  # 3 s of planned room
    side.add("validation", 0.5)
    side.add("probe", 0.5)
    side.add("sample", 0.8)  # 1.8 s spent
    assert side.affords("validation") and side.affords("probe")  # 1.8 + 0.5 + 0.5 (validation's room) <= 3
    assert not side.affords("sample")  # 1.8 + 0.8 + 0.5 + 0.5 > 3: validation and the probe come first
    assert side.affords("validation", "validation") and not side.affords("probe", "probe")  # 1.8 + 1 + 0.5 > 3


def test_the_share_of_a_kind_on_a_step_schedule():
    side = SideBudget(budget=0.03)
    assert side.share_of("validation", 100) == 0.0  # nothing known yet
    for _ in range(10):
        side.add_training(0.01)  # 10 ms steps: 100 steps are 1 s
    side.add("validation", 0.012)
    side.add("validation", 0.1)
    side.add("validation", 0.1)  # median 100 ms
    assert side.share_of("validation", 100) == pytest.approx(0.1) and side.share_of("validation", 1000) == pytest.approx(0.01)


def test_a_single_cold_pass_does_not_decide_and_the_probe_s_room_includes_its_timeline_write():
    side = SideBudget(budget=0.03)
    side.add_training(100.0 / PLANNED)  # 3 s of planned room
    side.add("memory", 0.9)  # cold
    side.add("memory", 0.1)
    assert side.expected("memory") == pytest.approx(0.1)  # the least of fewer than three
    side.add("probe", 0.6)
    side.add("timeline", 0.5)  # 2.1 s spent
    assert not side.affords("sample")  # 2.1 + 0 + probe 0.6 + its timeline 0.5 > 3


def test_wind_down_after_the_last_step_is_not_charged():
    side = SideBudget(budget=0.03)
    side.add_training(10.0)
    side.add("probe", 0.1)
    side.close()  # the last step was taken: the final probe and memory cannot slow the training
    side.add("memory", 5.0)
    assert side.share() == pytest.approx(0.1 / 10.1) and side.outside_s == 5.0
