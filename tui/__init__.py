"""trustsim's live dashboard (Textual): ``trustsim`` or ``trustsim tui SCENARIO`` opens it.

Where things are:

- ``app.py``: :class:`~tui.app.TrustApp`, the keys and command palette, the 10 Hz pull of frames from the
  simulation thread, the top bar and status line, starting and replacing runs; ``app.tcss`` beside it
  lays out every tab, one section each.
- ``runner.py``: the simulation thread. It advances the run(s), publishes a Frame per day (at most 20 a
  second) and runs the commands the screen submits (restart, compare, export, inspect) between two days.
- ``track.py``: what the screen holds of the runs (one Track each) and the Runs it hands the panes.
- ``panes/``: one module per tab (dashboard, population, charts, agent, scenario, compare), each owning
  its widgets, its ``@on`` handlers and its reactives.
- ``widgets.py``: the widgets tabs share (chart, population map and legend, archetype table, bars);
  ``plots.py``: what the run charts draw; ``palette.py``: marks and colours.
- ``feed.py``: the narrator (events to sentences, each keeping its kind) and the feed that shows them.
- ``messages.py``: what panes tell the app, and the simulation thread's answers.
- ``params.py``: the Scenario tab's knobs and their validation; ``help.py``: the help screen;
  ``bench.py``: what the dashboard costs the engine, and key latency.
"""
