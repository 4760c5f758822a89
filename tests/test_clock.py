from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from control_room.clock import (
    Clock,
    ClockError,
    epoch,
    from_epoch,
    parse_instant,
    real_clock,
    rehearsal_clock,
)

PARIS = ZoneInfo("Europe/Paris")
SHOW_START = datetime(2026, 7, 7, 9, 55, tzinfo=PARIS)


class FakeWall:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rehearsal_clock_starts_at_the_given_instant() -> None:
    wall = FakeWall(1_000_000.0)
    clock = rehearsal_clock(SHOW_START, 10, wall=wall)
    assert clock.now() == SHOW_START


def test_rehearsal_clock_runs_speed_times_faster() -> None:
    wall = FakeWall(1_000_000.0)
    clock = rehearsal_clock(SHOW_START, 10, wall=wall)
    wall.now += 6
    assert clock.now() == SHOW_START + timedelta(minutes=1)


def test_wall_time_is_the_inverse_of_show_time() -> None:
    clock = rehearsal_clock(SHOW_START, 7.5, wall=FakeWall(1_700_000_000.25))
    for minutes in (0, 1, 17, 600):
        show = SHOW_START + timedelta(minutes=minutes, microseconds=123)
        assert clock.show_time(clock.wall_time(show)) == show


def test_real_clock_show_time_is_wall_time() -> None:
    wall = FakeWall(epoch(datetime(2026, 7, 7, 8, 0, tzinfo=UTC)))
    clock = real_clock(wall=wall, tz=PARIS)
    wall.now += 90.5
    assert clock.now() == datetime(2026, 7, 7, 8, 1, 30, 500000, tzinfo=UTC)
    assert clock.speed == 1 and not clock.rehearsal


def test_a_stored_origin_resumes_a_rehearsal() -> None:
    wall = FakeWall(5_000.0)
    first = rehearsal_clock(SHOW_START, 60, wall=wall)
    wall.now += 10
    resumed = rehearsal_clock(SHOW_START, 60, wall=wall, origin_wall=first.origin_wall)
    assert resumed.now() == first.now() == SHOW_START + timedelta(minutes=10)


def test_clock_model_carries_origins_and_speed() -> None:
    clock = rehearsal_clock(SHOW_START, 10, wall=FakeWall(1_783_000_000.5))
    model = clock.model()
    assert model["origin_show"] == "2026-07-07T09:55:00+02:00"
    assert model["origin_wall"].endswith("Z")
    assert model["origin_wall_ms"] == 1_783_000_000_500
    assert model["speed"] == 10 and model["rehearsal"] is True


@pytest.mark.parametrize("speed", [0, -1, float("nan"), float("inf")])
def test_clock_refuses_a_non_positive_speed(speed: float) -> None:
    with pytest.raises(ClockError):
        rehearsal_clock(SHOW_START, speed)


def test_clock_refuses_a_naive_origin() -> None:
    with pytest.raises(ClockError):
        Clock(datetime(2026, 7, 7, 10, 0), 0.0)


def test_parse_instant_reads_a_naive_instant_in_the_event_zone() -> None:
    assert parse_instant("2026-07-07T09:55", default_tz=PARIS) == SHOW_START
    assert parse_instant("2026-07-07T07:55Z", default_tz=PARIS) == SHOW_START
    with pytest.raises(ClockError, match="ISO-8601"):
        parse_instant("tomorrow", default_tz=PARIS)


def test_parse_instant_reads_a_bare_time_of_day_only_when_given_the_day() -> None:
    day = SHOW_START.date()
    assert parse_instant("09:55", default_tz=PARIS, day=day) == SHOW_START
    assert parse_instant("07:55Z", default_tz=PARIS, day=day) == SHOW_START
    with pytest.raises(ClockError, match=r"^at: not an ISO-8601 instant: '09:55'"):
        parse_instant("09:55", default_tz=PARIS)
    with pytest.raises(ClockError, match=r"^--at: not an ISO-8601 instant or time of day"):
        parse_instant("noon", default_tz=PARIS, day=day, name="--at")


def test_epoch_round_trips_to_the_microsecond() -> None:
    instant = datetime(2026, 7, 7, 9, 55, 1, 123456, tzinfo=UTC)
    assert from_epoch(epoch(instant)) == instant
