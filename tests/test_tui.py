"""Pilot tests of the dashboard: press the keys, check what changed."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from screens import until

from sim import EventKind, ScenarioError, load_scenario, read_frame
from sim.narration import Narrator
from tui.app import TrustApp, main
from tui.panes import FieldRow, ScenarioPane
from tui.params import validate
from tui.runner import SPEEDS
from tui.widgets import Chart, PopulationMap

SMALL = {"simulation.agents": 200, "simulation.days": 60}
SIZE = (120, 40)




def small_app(name: str = "broken_promises", play: bool = True, **kwargs) -> TrustApp:
    return TrustApp(name, dict(SMALL), play=play, **kwargs)


async def on_tab(pilot, app: TrustApp, key: str) -> None:
    """Once the run has settled (it is built on its own thread), open the tab of number ``key``."""
    await until(pilot, lambda: app.runs is not None)
    await pilot.press(key)
    await pilot.pause(0.2)


def test_play_advances_days_and_pause_holds_them() -> None:
    async def scenario() -> None:
        app = small_app()
        async with app.run_test(size=SIZE) as pilot:
            # the run is built, its network settled (730 days), on the simulation thread first
            await until(pilot, lambda: app.day >= 3, timeout=60)
            assert app.playing and "playing" in app.headline
            await pilot.press("space")
            assert not app.playing
            await pilot.pause(0.3)
            held = app.day
            await pilot.pause(0.6)
            assert app.day == held
            assert "paused" in app.headline
            await pilot.press("space")
            await until(pilot, lambda: app.day > held)

    asyncio.run(scenario())


def test_step_advances_exactly_one_day() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.3)
            assert app.day == 0
            await pilot.press("n")
            await until(pilot, lambda: app.day == 1)
            await pilot.pause(0.4)
            assert app.day == 1
            await pilot.press("n", "n")
            await until(pilot, lambda: app.day == 3)
            await pilot.pause(0.4)
            assert app.day == 3 and not app.playing

    asyncio.run(scenario())


def test_faster_and_slower_change_the_speed() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            start = app.speed
            await pilot.press("plus")
            assert app.speed == start + 1 and app.runner.speed == start + 1
            await pilot.press("minus", "minus")
            assert app.speed == start - 1
            for _ in range(len(SPEEDS) + 2):
                await pilot.press("plus")
            assert app.speed == len(SPEEDS) - 1 and "max" in app.headline

    asyncio.run(scenario())


def test_restart_gives_a_new_seed() -> None:
    async def scenario() -> None:
        app = small_app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.day >= 5)
            old_sim, old_seed = app.runner.sims[0], app.seed
            await pilot.press("r")
            await until(pilot, lambda: app.runner.sims[0] is not old_sim and app.seed == old_seed + 1)
            assert app.runner.sims[0].scenario.simulation.seed == old_seed + 1
            assert app.playing

    asyncio.run(scenario())


def test_a_bad_parameter_shows_its_error_and_keeps_the_run() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.runs is not None)     # the run has settled (it is built on its thread)
            await pilot.press("5")                       # the Scenario tab
            await pilot.pause(0.2)
            sim = app.runner.sims[0]
            agents = next(r for r in app.query(FieldRow) if r.key == "simulation.agents")
            agents.query_one("Input").value = "1"
            forgetting = next(r for r in app.query(FieldRow) if r.key == "trust.forgetting")
            forgetting.query_one("Input").value = "lots"
            await pilot.click("#apply")
            await pilot.pause(0.3)
            assert "at least 2" in str(agents.query_one(".field-error").render())
            assert agents.query_one(".field-error").display
            assert "number" in str(forgetting.query_one(".field-error").render())
            assert app.runner.sims[0] is sim                # the run carries on
            assert "Not restarted" in app.status
            # fix it: now the run restarts with the new value
            agents.query_one("Input").value = "150"
            forgetting.query_one("Input").value = "0.99"
            await pilot.click("#apply")
            await until(pilot, lambda: app.runner.sims[0] is not sim)
            assert app.runner.sims[0].population.size == 150
            assert not agents.query_one(".field-error").display

    asyncio.run(scenario())


def test_export_writes_files_polars_reads_back(tmp_path) -> None:
    async def scenario() -> None:
        app = small_app(play=False, export_dir=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n", "n", "n")
            await until(pilot, lambda: app.day == 3)
            await pilot.press("e")
            await until(pilot, lambda: "Exported" in app.status)
            assert str(tmp_path) in app.status
            # then its report, drawn from the files on a thread of its own while the dashboard carries on
            await until(pilot, lambda: "Report written" in app.status, timeout=120)
            assert "report.html" in app.status

    asyncio.run(scenario())
    (folder,) = list(tmp_path.iterdir())
    assert folder.name.endswith("-day3")           # the folder names the day its tables hold
    metrics = read_frame(folder / "metrics.parquet")
    assert metrics["day"].to_list() == [0, 1, 2, 3]
    for table in ("archetypes", "agents", "events", "edges"):
        assert pl.read_parquet(folder / f"{table}.parquet").height > 0
    assert (folder / "manifest.json").is_file()
    written = json.loads((folder / "report" / "report.json").read_text())
    assert written["kind"] == "report" and (folder / "report" / "report.html").stat().st_size > 10_000
    assert {"measures", "network"} <= set(written["figures"])


def test_export_of_a_scenario_named_like_a_path_stays_in_the_export_folder(tmp_path) -> None:
    """A scenario named ../../escaped wrote its export outside trustsim-exports/."""
    from contract import tree

    scenario = tmp_path / "escaped.toml"
    scenario.write_text('extends = "baseline"\n[scenario]\nname = "../../escaped"\n')
    exports = tmp_path / "a" / "b" / "exports"

    async def run() -> None:
        app = TrustApp(str(scenario), dict(SMALL), play=False, export_dir=exports)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            await until(pilot, lambda: app.day == 1)
            await pilot.press("e")
            await until(pilot, lambda: "Report" in app.status or "failed" in app.status, timeout=120)

    asyncio.run(run())
    (folder,) = list(exports.iterdir())
    assert folder.name == "_.._escaped-seed1-day1"
    assert all(path.startswith("a/b/exports") or path in ("a", "a/b", "escaped.toml") for path in tree(tmp_path))


def test_compare_shows_two_series() -> None:
    async def scenario() -> None:
        app = small_app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.day >= 5)
            await pilot.press("c")
            assert app.comparing
            await until(pilot, lambda: len(app.tracks) == 2 and len(app.tracks[1].metrics["day"]) >= 5)
            await pilot.pause(0.5)
            a, b = app.tracks
            assert a.label == "broken_promises" and b.label == "baseline"
            assert b.scenario.simulation.seed == a.scenario.simulation.seed
            chart = app.query_one("#cmp-trust", Chart)
            await until(pilot, lambda: len(chart.legend) == 2)
            assert [label for label, _ in chart.legend] == ["A: broken_promises", "• B: baseline"]
            assert "vs baseline" in app.headline
            await pilot.press("c")
            await until(pilot, lambda: len(app.tracks) == 1)
            assert not app.comparing
            # one scenario with two settings: a bad setting is refused inline, nothing starts
            app.query_one("#compare-settings").value = "trust.asymmetry=0.5"
            await pilot.click("#compare-run")
            assert "B not started" in str(app.query_one("#compare-error").render())
            assert not app.comparing
            app.query_one("#compare-scenario").value = "broken_promises"
            app.query_one("#compare-settings").value = "trust.asymmetry=6"
            # a Button ignores clicks during its 0.2 s pressed effect; a person never clicks that fast
            await until(pilot, lambda: not app.query_one("#compare-run").has_class("-active"))
            await pilot.click("#compare-run")
            await until(pilot, lambda: len(app.tracks) == 2)
            assert app.tracks[1].scenario.trust.asymmetry == 6

    asyncio.run(scenario())


def test_inspector_shows_the_chosen_agent() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n", "n")
            await pilot.press("i")
            await pilot.press("1", "7", "enter")
            assert app.inspected == 17
            info = app.query_one("#agent-info")
            await until(pilot, lambda: "agent 17" in str(info.render()))
            relations = str(app.query_one("#agent-relations").render())
            assert "Trusted by" in relations and "Vouched for" in relations
            # a bad number is refused inline
            assert app.focused is None             # the keys went back to the dashboard
            await pilot.press("i")
            app.query_one("#agent-input").value = "100000"
            await pilot.press("enter")
            assert "no agent" in str(app.query_one("#agent-error").render())
            assert app.inspected == 17

    asyncio.run(scenario())


def test_an_archetype_row_inspects_its_most_followed_member() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            await until(pilot, lambda: app.day == 1)
            table = app.query_one("#archetypes")
            table.focus()
            await pilot.press("enter")
            await until(pilot, lambda: app.inspected >= 0)
            agents = app.tracks[0].snapshot.agents
            first = np.flatnonzero(agents["archetype"] == 0)
            assert app.inspected == first[np.argmax(agents["followers"][first])]
            assert app.query_one("#tabs").active == "agent"

    asyncio.run(scenario())


def test_clicking_the_map_inspects_that_agent() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            await until(pilot, lambda: app.day == 1)
            await pilot.pause(0.3)
            population = app.query_one("#map", PopulationMap)
            await pilot.click("#map", offset=(3, 2))          # the border takes the first row and column
            await until(pilot, lambda: app.inspected >= 0)
            row, column = 1, 2 // population.cell_width
            assert app.inspected == population.cells[row * population.columns + column]
            assert app.query_one("#tabs").active == "agent"

    asyncio.run(scenario())


def test_quitting_stops_the_worker() -> None:
    async def scenario() -> TrustApp:
        app = small_app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.day >= 2)
            await pilot.press("q")
            await pilot.pause(0.3)
        return app

    app = asyncio.run(scenario())
    assert app.runner.stopped
    thread = app.runner.running_thread
    deadline = time.monotonic() + 5
    while thread is not None and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert thread is not None and not thread.is_alive()
    assert app.return_code == 0


def test_a_scenario_applied_as_the_app_closes_starts_nothing_and_raises_nothing() -> None:
    """A scenario applied just before a quit can reach the app after its screens are gone (CI hit this
    under load): it is dropped, with no error raised and no run submitted to the stopped thread."""

    async def scenario() -> TrustApp:
        app = small_app()
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.runs is not None)
        return app

    app = asyncio.run(scenario())
    assert not app.screen_stack and app.runner.stopped
    generation, commands = app.runner.generation, app.runner._commands.qsize()
    app._apply(ScenarioPane.Apply(app.scenario.name, app.scenario))     # as a late message would
    assert (app.runner.generation, app.runner._commands.qsize()) == (generation, commands)


def test_narrator_tells_a_vouched_broken_promise() -> None:
    events = {
        "time": np.array([43.5]), "kind": np.array([EventKind.broken], dtype=np.uint8),
        "actor": np.array([17]), "target": np.array([5]), "subject": np.array([9]),
        "trust_before": np.array([0.71]), "trust_after": np.array([0.52]),
    }
    archetypes = np.zeros(20, dtype=np.int16)
    archetypes[17] = 1
    (line,) = Narrator(["steady", "overcommitter"]).pick(events, archetypes, budget=3)
    assert line.kind == EventKind.broken and line.phrase == "broke a promise "       # the kind colours it
    assert not line.phrase.startswith(" ") and not line.after.startswith(" ")   # drawn squeezed otherwise
    assert str(line) == ("day 43 · agent 17 (overcommitter) broke a promise to agent 5 · 5's trust in 17 "
                    "0.71 → 0.52 · agent 9 vouched for 17 and loses standing with 5")


def test_validate_pins_errors_to_fields() -> None:
    scenario, errors = validate("baseline", {"simulation.days": "0", "archetypes.steady.share": "0.9",
                                             "archetypes.casual.share": "0.4"})
    assert scenario is None
    assert "must be at least 1" in errors["simulation.days"]
    assert "sum to 1" in errors["archetypes.steady.share"]
    scenario, errors = validate("baseline", {"simulation.days": "30"})
    assert errors == {} and scenario.simulation.days == 30


def test_main_rejects_an_unknown_scenario_before_starting() -> None:
    with pytest.raises(ScenarioError):
        main("no_such_scenario", {})


def test_escape_leaves_a_field_and_the_keys_work_again() -> None:
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("5")
            await pilot.pause(0.2)
            field = app.query(FieldRow).first().query_one("Input")
            field.focus()
            await pilot.press("9")
            assert app.focused is field and field.value.endswith("9")
            typed = field.value
            await pilot.press("escape")
            assert app.focused is None
            await pilot.press("1")                       # an app key again: the Dashboard tab
            assert app.query_one("#tabs").active == "dashboard" and field.value == typed
            # enter in the Compare tab's field starts B and gives the keys back
            await pilot.press("6")
            settings = app.query_one("#compare-settings")
            settings.focus()
            await pilot.press("enter")
            await until(pilot, lambda: app.comparing)
            assert app.focused is None

    asyncio.run(scenario())


def test_compare_b_starts_from_a_full_settings_and_shows_them() -> None:
    async def scenario() -> None:
        app = TrustApp("baseline", {**SMALL, "trust.asymmetry": 8}, play=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("6")
            app.query_one("#compare-scenario").value = "baseline"
            await pilot.pause(0.1)
            await pilot.click("#compare-run")
            await until(pilot, lambda: app.comparing)
            b = app.compare_scenario
            assert b == app.scenario and b.trust.asymmetry == 8          # B = A, with nothing of its own
            shown = str(app.query_one("#compare-b").render())
            assert "asymmetry 8" in shown and "agents 200" in shown
            await pilot.press("c")
            await until(pilot, lambda: not app.comparing)
            # B's own settings go on top of A's
            app.query_one("#compare-settings").value = "trust.forgetting=0.9"
            await until(pilot, lambda: not app.query_one("#compare-run").has_class("-active"))
            await pilot.click("#compare-run")
            await until(pilot, lambda: app.comparing)
            assert app.compare_scenario.trust.asymmetry == 8 and app.compare_scenario.trust.forgetting == 0.9
            assert "forgetting 0.9" in str(app.query_one("#compare-b").render())
            assert "seed 1 " in str(app.query_one("#compare-b").render())
            # r restarts both with the next seed: what the tab says B runs with follows (it stayed on seed 1)
            await pilot.press("escape", "r")
            await until(pilot, lambda: app.compare_scenario.simulation.seed == 2)
            await pilot.pause(0.1)
            shown = str(app.query_one("#compare-b").render())
            assert "seed 2 " in shown and "forgetting 0.9" in shown
            await pilot.press("c")
            await until(pilot, lambda: not app.comparing)
            await pilot.pause(0.1)
            shown = str(app.query_one("#compare-b").render())
            assert shown.startswith("No B running") and "seed" not in shown     # no B: nothing said of one
            assert not app.query_one("#compare-table").display

    asyncio.run(scenario())


def test_each_export_gets_its_own_folder(tmp_path, monkeypatch) -> None:
    # the report each export starts is not what this checks (the test above draws one): none is drawn here
    reported: list[Path] = []

    def no_report(paths, out=None) -> Path:
        reported.append(Path(paths[0]))
        return Path(paths[0]) / "report" / "report.html"

    monkeypatch.setattr("sim.report.write", no_report)

    async def scenario() -> list[str]:
        app = small_app(play=False, export_dir=tmp_path)
        statuses = []
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            await until(pilot, lambda: app.day == 1)
            for _ in range(2):
                app.status = ""
                await pilot.press("e")
                # the (undrawn) report may already have taken the status line: it names the folder too
                await until(pilot, lambda: "Exported" in app.status or "Report written" in app.status)
                statuses.append(app.status)
        return statuses

    first, second = asyncio.run(scenario())
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 2 and folders[1] == folders[0] + "-2"       # the second never replaced the first
    assert str(tmp_path / folders[0]) in first and str(tmp_path / folders[1]) in second
    assert reported == [tmp_path / name for name in folders]


def test_a_run_too_large_for_memory_is_refused_on_its_fields() -> None:
    scenario, errors = validate("baseline", {"simulation.agents": "1000000", "simulation.days": "100000"})
    assert scenario is None
    assert set(errors) == {"simulation.agents", "simulation.days"}
    assert all("cannot fit in memory" in text for text in errors.values())


def test_a_run_that_cannot_be_built_is_said_on_screen_not_left_silent() -> None:
    """The engine refuses it on the simulation thread (here: too large); the screen says so and stops playing."""
    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.runs is not None)
            app._start(load_scenario("baseline", {"simulation.agents": 1_000_000, "simulation.days": 100_000}))
            await until(pilot, lambda: "could not start" in app.status)
            assert "cannot fit in memory" in app.status and not app.playing

    asyncio.run(scenario())


def test_typing_on_the_compare_tab_goes_into_its_field_not_to_the_keys() -> None:
    """Typing B's settings as the placeholder suggests, right after opening the tab, fills the field: no
    restart (r), screenshot (s) or export (e) fires. Opened by c (which starts B), the keys stay the app's."""

    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.received.snapshot is not None)
            sim = app.runner.sims[0]
            await pilot.press("6")
            await pilot.pause(0.2)
            await pilot.press(*"trust", "full_stop", *"asymmetry", "equals_sign", "6")
            await pilot.pause(0.3)
            settings = app.query_one("#compare-settings")
            assert app.focused is settings and settings.value == "trust.asymmetry=6"
            assert app.runner.sims[0] is sim and not app.status
            await pilot.press("escape", "1", "c")           # back on the Dashboard, c starts B ...
            await until(pilot, lambda: app.comparing)
            await pilot.press("c")                          # ... and c again stops it (not typed)
            await pilot.pause(0.2)
            assert not app.comparing and settings.value == "trust.asymmetry=6"

    asyncio.run(scenario())


def test_a_pause_pressed_while_a_new_run_settles_stands() -> None:
    """Space pressed while a restarted run is still being built pauses it: once built it stays paused, and the
    screen and the run agree (the build used to set playing when it ended, undoing the pause)."""

    async def scenario() -> None:
        app = TrustApp("broken_promises", {**SMALL, "simulation.agents": 1000, "simulation.spin_up": 3000},
                       play=False)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.runs is not None, timeout=60)
            await pilot.press("r")                           # a new run, playing once built
            await until(pilot, lambda: app.runner.settling is not None, timeout=60)
            await pilot.press("space")                       # pause while it settles
            assert not app.playing
            await until(pilot, lambda: app.runner.settling is None and app.runs.snapshot.seed == 2, timeout=60)
            await pilot.pause(0.5)
            day = app.runner.sims[0].day
            await pilot.pause(1.0)
            assert not app.runner.playing and not app.playing and app.runner.sims[0].day == day
            assert "paused" in app.headline

    asyncio.run(scenario())


def test_a_new_run_says_it_is_settling_while_it_spins_up() -> None:
    """The spin-up before day 0 takes seconds: the screen is up at once and the top bar says the network is
    settling (and how far it has got), at the start and after r, instead of standing still."""

    async def scenario() -> None:
        # long enough to be seen settling with the compiled engine (200 agents settle 3,000 days in a blink)
        app = TrustApp("broken_promises", {**SMALL, "simulation.agents": 1000, "simulation.spin_up": 3000},
                       play=False)
        seen: list[str] = []
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: seen.append(app.headline) or app.runs is not None, timeout=60)
            assert any(h.startswith("settling the network… ") and " of 3,000 days before day 0" in h for h in seen)
            assert "settling" not in app.headline and "day 0/60" in app.headline
            seen.clear()
            await pilot.press("r")
            await until(pilot, lambda: seen.append(app.headline) or (app.runs.snapshot.seed == 2 and
                                                                      "settling" not in app.headline), timeout=60)
            assert any(h.startswith("settling the network… ") for h in seen)
            # before its first day settles, the world is built (and on a machine's first run the engine is
            # compiled, which takes minutes): the bar says so rather than a count standing at 0
            app.settling = "0 of 3,000 days"
            assert app.compute_headline().startswith("building the world… (a first run on this machine also compiles")

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_footer_names_what_space_does_and_shows_s_and_i_where_they_fit(size: tuple[int, int]) -> None:
    from screens import text_in
    from textual.geometry import Region

    async def scenario() -> list[str]:
        app = small_app(play=True)
        footers = []
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.runs is not None and app.playing)
            for _ in range(2):
                await pilot.pause(0.3)
                footers.append(text_in(app.export_screenshot(), Region(0, size[1] - 1, size[0], 1))[0])
                await pilot.press("space")
        return footers

    playing, paused = asyncio.run(scenario())
    assert "space Pause" in playing and "space Play" in paused
    for footer in (playing, paused):
        assert footer.rstrip().endswith("? Help q Quit")            # never pushed out of sight
        assert ("s Screenshot" in footer and "i Inspect" in footer) == (size[0] >= 110)


def test_help_describes_the_palette_and_compare_as_drawn() -> None:
    from tui.help import HELP

    assert "red distrusted through yellow to blue trusted" in HELP and "green" not in HELP
    assert "side by side" not in HELP and "overlaid" in HELP


def test_the_status_line_shows_a_long_path_whole_at_80_columns(tmp_path) -> None:
    """A screenshot's path is longer than an 80-column line: the status line wraps (up to three lines)
    rather than cutting it, and goes back to one line for a short message."""

    from screens import text_in

    folder = tmp_path / "talk"

    async def scenario() -> None:
        app = small_app(play=False, export_dir=folder)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.runs is not None)
            await pilot.press("s")
            await until(pilot, lambda: "Screenshot saved" in app.status)
            await pilot.pause(0.3)
            (picture,) = folder.iterdir()
            status = app.query_one("#status")
            assert status.region.height > 1
            rows = text_in(app.export_screenshot(), status.region)
            assert str(picture) in "".join(row.strip() for row in rows)
            app.status = "short"
            await pilot.pause(0.3)
            assert status.region.height == 1

    asyncio.run(scenario())


def test_an_error_too_long_for_its_field_is_said_whole_under_the_button() -> None:
    """'the run cannot fit in memory: … 5,900…' was cut on its field's row with the rest only in a tooltip:
    the form now says it whole below Apply; a short error stays on its field only."""

    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_tab(pilot, app, "5")
            rows = {r.key: r for r in app.query(FieldRow)}
            too_large = {"simulation.agents": "10000", "simulation.days": "100000"}
            for key, text in too_large.items():
                rows[key].text = text
            rows["simulation.agents"].query_one("Input").focus()
            await pilot.press("enter")
            await pilot.pause(0.3)
            said = str(app.query_one("#form-error").render())
            for key, message in validate("broken_promises", too_large)[1].items():
                whole = message.split(", and this machine has")[0]     # the memory free changes by the call
                assert "cannot fit in memory" in message and f"{rows[key].label_text}: {whole}" in said
                assert said.count("GiB available") == 2
            assert "Not restarted" in app.status
            rows["simulation.agents"].text, rows["simulation.days"].text = "1", "60"
            rows["simulation.agents"].query_one("Input").focus()
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert "at least 2" in str(rows["simulation.agents"].query_one(".field-error").render())
            assert not str(app.query_one("#form-error").render())      # short: said on its own field only

    asyncio.run(scenario())


def test_at_80x24_the_compare_table_says_what_it_cannot_show() -> None:
    """At 80×24 the table has room for a few rows: a line says how many more there are; the placeholder of
    B's settings shows whole."""

    async def scenario() -> None:
        app = small_app(play=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_tab(pilot, app, "6")
            settings = app.query_one("#compare-settings")
            assert settings.content_region.width >= len(settings.placeholder)
            await pilot.press("enter")
            await until(pilot, lambda: app.runs.compared is not None and app.runs.compared.snapshot is not None)
            await pilot.pause(0.3)
            table = app.query_one("#compare-table")
            out_of_sight = table.row_count - (table.scrollable_content_region.height - 1)
            assert out_of_sight > 0
            assert str(app.query_one("#compare-more").render()).startswith(f"▼ {out_of_sight} more rows")

    asyncio.run(scenario())
