"""Story mode: the engine's moments (sim/story.py), the story screen (tui/story.py) and `trustsim story`'s bad input.

The engine tests play broken_promises small (150 agents, 40 days, a 30-day spin-up) beside its controls once,
and hold what was told against the definition, recomputed from the readings: a hypothesis separates on the
day its gap has lain beyond its margin, in its direction, on HOLD days in a row.
"""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from screens import drawn, text_in, until
from test_tui_snapshots import check, settled_screenshot
from textual.geometry import Region

from sim import claims, config, load_scenario
from sim.story import CLOSES, EVENT, HOLD, LEAVES, RETURNS, SEPARATES, Separation, Story
from tui.story import StoryApp, StoryScreen

SMALL = {"simulation.agents": 150, "simulation.days": 40, "simulation.spin_up": 30}


def play(story: Story) -> tuple[list, list]:
    """Build the story's runs and step them together to the end as the screen's thread does; returns the
    runs and everything told."""
    sims = story.build()
    told = story.observe(sims)
    while not sims[0].finished:
        for sim in sims:
            sim.advance(1)
        told += story.observe(sims)
    return sims, told


@pytest.fixture(scope="module")
def played() -> tuple[Story, list]:
    story = Story(load_scenario("broken_promises", SMALL))
    return story, play(story)[0]


def first_separation(gaps: np.ndarray, direction: str, margin: float, hold: int) -> int | None:
    """The definition, stated once more: the last day of the first run of ``hold`` days beyond the margin."""
    beyond = {"higher": gaps > margin, "lower": gaps < -margin, "within": np.abs(gaps) > margin}[direction]
    streak = 0
    for day, is_beyond in enumerate(beyond):
        streak = streak + 1 if is_beyond else 0
        if streak == hold:
            return day
    return None


def test_a_gap_separates_after_hold_days_in_a_row_and_closes_likewise() -> None:
    hypothesis = load_scenario("broken_promises").hypotheses[0]        # lower, margin 0.05
    follow = Separation(hypothesis, hold=3)
    gaps = [-0.1, -0.1, -0.01, -0.1, -0.1, -0.1, -0.1, 0.0, math.nan, 0.0, 0.0, 0.0]
    told = {day: follow.update(day, gap) for day, gap in enumerate(gaps)}
    assert {day: said for day, said in told.items() if said} == {5: (SEPARATES, 3), 11: (CLOSES, 9)}


def test_a_within_claim_is_told_when_it_leaves_its_band() -> None:
    steady = next(h for h in load_scenario("baseline").hypotheses if h.direction == "within")
    follow = Separation(steady, hold=2)
    margin = steady.min_effect
    gaps = [0.0, margin * 2, -margin * 2, 0.0, margin / 2]
    told = [follow.update(day, gap) for day, gap in enumerate(gaps)]
    assert told == [None, None, (LEAVES, 1), None, (RETURNS, 3)]


def test_every_side_runs_on_the_same_seed_and_differs_only_by_its_comparison(played) -> None:
    story, sims = played
    main = story.scenario.simulation
    assert story.labels == ["broken_promises", "baseline", "with archetypes.overcommitter.capacity=1e+06",
                            "with vouching.blame=false", "with promotion.enabled=false", "with events=[]"]
    for scenario in story.scenarios:
        assert (scenario.simulation.seed, scenario.simulation.agents, scenario.simulation.days) == \
            (main.seed, main.agents, main.days)
    # without its day-120 event (not reached in 40 days), the control is the very same run, day by day
    without_event = sims[story.labels.index("with events=[]")]
    assert np.array_equal(without_event.metrics_history()["mean_trust"], sims[0].metrics_history()["mean_trust"])


def test_what_is_told_is_what_the_readings_show(played) -> None:
    story, _ = played
    assert story.day == 40
    separated = 0
    for index, strand in enumerate(story.strands):
        hypothesis = strand.hypothesis
        gaps = story.mine[index] - story.theirs[index]
        expected = first_separation(gaps, hypothesis.direction, hypothesis.min_effect, HOLD)
        assert story.separated_on(index) == expected, hypothesis.id
        separated += expected is not None
        for moment in (m for m in story.moments if m.strand == index):
            # the numbers on screen are the readings of that day
            assert f"{story.mine[index, moment.day]:.3f} here" in moment.numbers
    assert separated >= 3          # trust, trust in strangers and the overload ablations show within 40 days
    trust_falls = story.moments[[m.strand for m in story.moments].index(0)]
    assert trust_falls.kind == SEPARATES and trust_falls.title == "Network trust falls below baseline's"
    assert "in baseline" in trust_falls.numbers and "margin 0.05" in trust_falls.numbers


def test_scenario_events_are_told_on_their_day() -> None:
    story = Story(load_scenario("broken_promises", {**SMALL, "simulation.days": 122}))
    events = [m for m in play(story)[1] if m.kind == EVENT]
    assert [(m.day, m.title) for m in events] == [(120, "the steady go public about the overcommitters")]


def test_the_card_gives_each_claim_its_recorded_verdict_only_as_stated_now(played, monkeypatch) -> None:
    story, _ = played
    rows = {row.id: row for row in story.card()}
    assert rows.keys() == {h.id for h in story.scenario.hypotheses}
    recorded = {row["id"]: row for row in claims.of("broken_promises")}
    trust, row = rows["trust-falls"], recorded["trust-falls"]
    assert trust.holds is True
    assert trust.recorded.startswith(f"effect {row['effect']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]")
    assert all(rows[key].holds == recorded[key]["holds"] for key in rows)
    # a verdict recorded for an earlier form of a claim (here, another measure) is not lent to it as it is now
    earlier = tuple({**r, "measure": "referral_gap (last day)"} if r["scenario"] == "broken_promises"
                    and r["id"] == "vouchers-blamed" else r for r in claims.recorded())
    monkeypatch.setattr(claims, "recorded", lambda: earlier)
    rows = {row.id: row for row in story.card()}
    assert rows["vouchers-blamed"].holds is None and "earlier form" in rows["vouchers-blamed"].recorded
    assert rows["trust-falls"].holds is True


def test_a_scenario_of_ones_own_has_no_recorded_verdicts(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "broken_promises"\n[scenario]\nname = "mine"\n[[hypotheses]]\nid = "falls"\n'
                    'statement = "Trust falls below baseline\'s"\nmeasure = "mean_trust"\ncompare = "baseline"\n'
                    'direction = "lower"\nmin_effect = 0.05\nseeds = 2\nseed = 1\n')
    story = Story(load_scenario(str(mine), SMALL))
    [row] = story.card()
    assert row.holds is None and "of your own" in row.recorded


@pytest.mark.parametrize(("args", "says"), [
    (["nosuch"], "unknown scenario 'nosuch'"),
    (["NOHYP"], "states no hypotheses, so it has no story to tell"),
    (["broken_promises", "--agents", "-5"], "simulation.agents: must be at least 2"),
])
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], says: str, tmp_path: Path) -> None:
    plain = tmp_path / "plain.toml"
    plain.write_text('extends = "baseline"\n[scenario]\nname = "plain"\n')
    args = [str(plain) if a == "NOHYP" else a for a in args]
    result = subprocess.run([sys.executable, "-m", "sim", "story", *args], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and says in result.stderr


async def first_moment(pilot, screen: StoryScreen) -> None:
    """Wait until the story has paused on its first moment and every chart has drawn it."""
    await until(pilot, lambda: screen.cursor >= 0 and not screen.driver.playing, timeout=60)
    await until(pilot, lambda: drawn(screen.app))


def test_the_story_screen_tells_pauses_steps_and_ends_on_the_card(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = StoryApp(load_scenario("broken_promises", SMALL), speed=7)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, StoryScreen), timeout=10)
            screen = app.screen
            await first_moment(pilot, screen)
            first = screen.view.moments[0]
            caption = str(screen.query_one("#story-caption").render())
            assert first.title in caption and "separates" in caption
            # the run paused on it: it stays on that day
            day = screen.view.day
            await pilot.pause(0.5)
            assert screen.driver.view().day == day
            # forward and back through what was told on that day, then on to the end and the card
            told = len(screen.view.moments)
            if told > 1:
                await pilot.press("right")
                assert screen.cursor == 1
                await pilot.press("left")
                assert screen.cursor == 0
            for _ in range(200):
                if screen.card_shown:
                    break
                await pilot.press("right")
                await pilot.pause(0.05)
            assert screen.card_shown and screen.view.finished
            card = "\n".join(text_in(app.export_screenshot(), Region(0, 0, 120, 40)))
            trust_falls = next(row for row in claims.of("broken_promises") if row["id"] == "trust-falls")
            assert "Network trust falls below baseline's" in card and f"effect {trust_falls['effect']:.3f}" in card
            await pilot.press("left")
            assert not screen.card_shown

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_story_layout(size: tuple[int, int], tmp_path: Path) -> None:
    """The first moment of broken_promises (small), as the presenter sees it."""
    async def scenario() -> str:
        app = StoryApp(load_scenario("broken_promises", SMALL), speed=7)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: isinstance(app.screen, StoryScreen), timeout=10)
            await first_moment(pilot, app.screen)
            return await settled_screenshot(pilot, app)

    check(asyncio.run(scenario()), f"story-{size[0]}x{size[1]}.svg", tmp_path)


def test_t_tells_the_dashboards_scenario_and_holds_the_dashboards_keys_back() -> None:
    from tui.app import TrustApp

    async def scenario() -> None:
        app = TrustApp("broken_promises", dict(SMALL), play=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.runs is not None)
            generation = app.runner.generation
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, StoryScreen))
            screen = app.screen
            assert screen.story.scenario == app.scenario and not app.runner.playing
            await pilot.press("r", "n")                  # the dashboard's keys: not while the story is told
            await pilot.pause(0.3)
            assert app.runner.generation == generation and app.day == 0
            await first_moment(pilot, screen)
            await pilot.press("q")
            await until(pilot, lambda: not isinstance(app.screen, StoryScreen))
            assert screen.driver._stop.is_set()

    asyncio.run(scenario())


@pytest.mark.parametrize("name", config.available())
def test_every_shipped_scenario_has_a_story_to_its_card(name: str) -> None:
    story = Story(load_scenario(name, {"simulation.agents": 60, "simulation.days": 12, "simulation.spin_up": 5}))
    play(story)
    rows = story.card()
    assert [row.statement for row in rows] == [h.statement for h in story.scenario.hypotheses]
    assert all(row.shown and row.recorded for row in rows)
