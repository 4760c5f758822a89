"""The feed hysteresis (control_room.switcher.health), with an injected clock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from control_room.switcher.health import CursorWatch, FeedTracker, Health

TICK = 0.25  # the unit of time of these sequences (a poll)


def run(tracker: FeedTracker, pattern: str, start: float = 0.0) -> list[tuple[float, str]]:
    """Observe ``pattern`` ("+" good, "-" bad), one observation per TICK."""
    changes = []
    for i, mark in enumerate(pattern):
        now = start + i * TICK
        change = tracker.observe(mark == "+", now)
        if change is not None:
            changes.append((now, change))
    return changes


def test_a_healthy_feed_changes_nothing() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "+" * 40) == []
    assert tracker.health is Health.HEALTHY


def test_a_feed_is_lost_after_grace_of_continuous_loss() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "++++" + "-" * 8) == [(2.0, "lost")]
    assert tracker.lost
    assert tracker.lost_since == 1.0
    assert tracker.elapsed(3.5) == 2.5


def test_a_loss_shorter_than_grace_is_ignored() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "+" + "---+" * 10) == []
    assert not tracker.lost


def test_a_feed_returns_after_stable_of_continuous_health() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "-----" + "+" * 9) == [(1.0, "lost"), (3.25, "returned")]
    assert tracker.health is Health.HEALTHY
    assert tracker.lost_since is None


def test_a_return_shorter_than_stable_keeps_the_feed_lost() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "-----" + "+++++++-" * 5) == [(1.0, "lost")]
    assert tracker.lost
    assert tracker.lost_since == 0.0


def test_a_feed_flapping_every_second_is_lost_once_and_never_flips_back() -> None:
    tracker = FeedTracker(grace=0.5, stable=2.0)
    # up 1 s / down 1 s, for a minute: one loss, no return, no flip-flop.
    changes = run(tracker, ("++++" + "----") * 30)
    assert [c for _, c in changes] == ["lost"]


def test_a_feed_flapping_faster_than_grace_is_never_lost() -> None:
    tracker = FeedTracker(grace=1.5, stable=2.0)
    assert run(tracker, ("++++" + "----") * 30) == []


def test_a_feed_down_from_the_start_is_lost_after_grace() -> None:
    tracker = FeedTracker(grace=1.0, stable=2.0)
    assert run(tracker, "-" * 6) == [(1.0, "lost")]


def test_zero_grace_and_stable_act_at_once() -> None:
    tracker = FeedTracker(grace=0.0, stable=0.0)
    assert run(tracker, "+-+") == [(0.25, "lost"), (0.5, "returned")]


@given(st.lists(st.booleans(), max_size=200))
def test_changes_always_alternate_and_respect_the_times(pattern: list[bool]) -> None:
    grace, stable = 1.0, 2.0
    tracker = FeedTracker(grace=grace, stable=stable)
    changes = run(tracker, "".join("+" if ok else "-" for ok in pattern))
    kinds = [c for _, c in changes]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    if kinds:
        assert kinds[0] == "lost"
    for now, change in changes:
        i = round(now / TICK)
        window = round((grace if change == "lost" else stable) / TICK)
        # every observation of the last `window` ticks agreed with the change
        expected = change == "returned"
        assert i - window >= 0 and all(p is expected for p in pattern[i - window : i + 1])


def test_a_moving_cursor_is_a_delivering_feed() -> None:
    watch = CursorWatch(stall=0.75)
    readings = [(0.0, 1663), (0.5, 2143), (1.0, 2143), (1.5, 2663)]
    assert [watch.observe(True, c, t) for t, c in readings] == [True, True, True, True]


def test_a_frozen_cursor_is_a_stalled_feed_after_stall() -> None:
    watch = CursorWatch(stall=0.75)
    readings = [(0.0, 7183), (0.5, 7183 + 480), (1.0, 7663), (1.5, 7663), (2.0, 7663)]
    assert [watch.observe(True, c, t) for t, c in readings] == [True, True, True, False, False]


def test_a_restarted_stream_resets_the_cursor_and_counts_as_moving() -> None:
    watch = CursorWatch(stall=0.75)
    for t in (0.0, 0.5, 1.0, 1.5):
        watch.observe(True, 7183, t)
    assert watch.observe(True, 1632, 2.0)


def test_a_stream_still_opening_at_cursor_zero_is_not_delivering() -> None:
    watch = CursorWatch(stall=0.75)
    assert [watch.observe(True, 0, t) for t in (0.0, 0.5, 1.0)] == [False, False, False]


def test_an_ended_input_is_not_delivering() -> None:
    watch = CursorWatch(stall=0.75)
    watch.observe(True, 500, 0.0)
    assert not watch.observe(False, None, 0.25)
    assert watch.cursor is None
