"""Bad values typed into the dashboard's parameter fields (Pilot), property-based: hypothesis,
derandomized, a bounded number of examples. Whatever is typed, the bad value is shown on its own field,
the running simulation carries on (the same run, and it still steps), and nothing crashes."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tui.app import TrustApp
from tui.panes import FieldRow
from tui.params import MAIN_KNOBS, validate

SMALL = {"simulation.agents": 120, "simulation.days": 40}
KEYS = [key for key, _ in MAIN_KNOBS] + ["archetypes.steady.share"]
NASTY = st.sampled_from(["", " ", "-1", "0", "1e12", "-0.5", "nan", "inf", "[1, 2]", "{}", '"ten"', "true",
                         "1_000_000_000", "0x10", "2.5.1", "[", "]]", "'", "=", "∞", "１０"])
TYPED = st.one_of(NASTY, st.text(max_size=10))


def until_sync(pilot, predicate, timeout: float = 10.0):
    async def wait() -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            assert loop.time() < deadline, "timed out waiting for the dashboard"
            await pilot.pause(0.05)
    return wait()


@settings(derandomize=True, deadline=None, database=None, max_examples=8,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(key=st.sampled_from(KEYS), text=TYPED)
def test_a_bad_value_shows_on_its_field_and_the_run_carries_on(key: str, text: str) -> None:
    _, errors = validate("baseline", {key: text})
    assume(key in errors)                                   # a bad value for this field

    async def scenario() -> None:
        app = TrustApp("baseline", dict(SMALL), play=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await until_sync(pilot, lambda: app.runs is not None)
            sim = app.runner.sims[0]
            await pilot.press("5")
            await pilot.pause(0.1)
            row = next(r for r in app.query(FieldRow) if r.key == key)
            row.query_one("Input").value = text
            await pilot.click("#apply")
            await pilot.pause(0.2)
            error = row.query_one(".field-error")
            assert error.display and str(error.render()).strip(), f"{text!r} in {key}: no error on the field"
            assert row.query_one("Input").value == text             # what was typed stays, to be fixed
            assert app.runner.sims[0] is sim and not app.runner.stopped
            await pilot.press("escape", "n")                        # the same run still steps
            await until_sync(pilot, lambda: app.day == 1)
            assert app.is_running and app.runner.sims[0] is sim

    asyncio.run(scenario())
