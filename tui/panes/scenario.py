"""The Scenario tab: pick a scenario, change its main knobs, restart with them.

Every field is checked (:func:`tui.params.validate`) before anything restarts; a bad value is shown on its
own field and the current run carries on. A good form asks the app to restart (:class:`ScenarioPane.Apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static, TabPane

from sim import Scenario, ScenarioError, available, claims, load_scenario
from sim.validation import printable

from .. import params
from ..messages import Status

FOLD_HINTS = {"below": "▼ more below: scroll down, or tab into the fields", "above": "▲ more above: scroll up",
              "": ""}


class FieldRow(Horizontal):
    """A labelled one-line input with its inline error underneath, on a row kept for it (app.tcss), so an
    error that appears or goes moves no field under the mouse."""

    def __init__(self, key: str, label: str, value: str) -> None:
        super().__init__(classes="field")
        self.key = key
        self.label_text = label
        self.value = value

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="field-label")
        with Vertical(classes="field-body"):
            yield Input(self.value, classes="field-input", compact=True)
            yield Static("", classes="field-error")

    @property
    def text(self) -> str:
        return self.query_one(Input).value

    @text.setter
    def text(self, value: str) -> None:
        self.query_one(Input).value = value

    def show_error(self, message: str) -> bool:
        """Show ``message`` on the field's row; False if it is too long for the row (it ends in …, and the
        form says it whole under the Apply button)."""
        error = self.query_one(".field-error", Static)
        error.update(message)
        error.tooltip = message or None
        error.display = bool(message)
        self.query_one(Input).set_class(bool(message), "-invalid")
        return len(message) <= self.query_one(".field-body").size.width


class ScenarioPane(TabPane):
    """The scenario list with each one's description, and the form of the main knobs."""

    running: var[Scenario | None] = var(None)    # run A's scenario (the app binds it); the form follows it
    fold: var[str] = var("")                     # "below" / "above": part of the tab is out of sight there

    @dataclass
    class Apply(Message):
        """Restart with ``scenario`` (loaded by ``name``): every field of the form was good."""

        name: str
        scenario: Scenario

    def __init__(self, name: str, extra: dict[str, Any]) -> None:
        super().__init__("Scenario", id="scenario")
        self.running_name = name         # what the running scenario was loaded by (a name or a path)
        self.extra = dict(extra)         # --set overrides the form does not show; they go with running_name
        self.form_for = name             # the scenario the form shows

    def compose(self) -> ComposeResult:
        with Horizontal(id="scenario-body"):
            with Vertical(id="scenario-left"):
                yield OptionList(*available(), id="scenario-list")
                yield Static("", id="scenario-description")
            with VerticalScroll(id="parameters"):
                yield Vertical(id="fields")
                yield Button("Apply and restart (enter)", id="apply", variant="primary")
                # under the button, so a message that appears moves nothing above it
                yield Static("", id="form-error", classes="field-error")
        yield Static("", id="scroll-hint")

    def on_mount(self) -> None:
        names = available()
        self.query_one("#scenario-list", OptionList).highlighted = \
            names.index(self.running_name) if self.running_name in names else None
        # on a narrow or short screen part of the tab is below the fold: the hint line says so while it is
        for scrolled in self._scrolled():
            self.watch(scrolled, "scroll_y", self._fold_moved, init=False)
            self.watch(scrolled, "virtual_size", self._fold_moved, init=False)

    def _scrolled(self) -> tuple[Widget, Widget]:
        return self.query_one("#scenario-body"), self.query_one("#parameters")

    def on_resize(self) -> None:
        self._fold_moved()

    def on_show(self) -> None:
        self._fold_moved()

    def _fold_moved(self) -> None:
        # read once the layout has settled (mid-layout a container's size and virtual size can disagree)
        self.call_after_refresh(self._check_fold)

    def _check_fold(self) -> None:
        below = any(s.scroll_y < s.max_scroll_y for s in self._scrolled())
        above = any(s.scroll_y > 0 for s in self._scrolled())
        self.fold = "below" if below else ("above" if above else "")

    def watch_fold(self, fold: str) -> None:
        # the line is always there on a narrow or short screen (app.tcss): showing it would move the fold
        self.query_one("#scroll-hint", Static).update(FOLD_HINTS[fold])

    def watch_running(self, scenario: Scenario | None) -> None:
        if scenario is not None:
            self._fill_form(self.running_name, scenario)

    def _fill_form(self, name: str, scenario: Scenario) -> None:
        """Show ``scenario``'s values; the fields are rebuilt only if the form showed another scenario."""
        info = scenario.scenario        # a file's words, shown as words: no markup, no control characters
        verdicts = [("\n" + printable(line), "green" if line.startswith("holds") else "red")
                     for line in claims.lines(scenario.name)]
        self.query_one("#scenario-description", Static).update(Content.assemble(
            (printable(name), "bold"), "\n", printable(info.description, keep="\n"), "\n\n",
            (printable(info.case_study, keep="\n"), "dim"), "\n\n",
            ("What it shows (its claims' recorded verdicts): ", "bold"), claims.summary(scenario.name), *verdicts))
        rows = {row.key: row for row in self.query(FieldRow)}
        knobs = params.knobs(scenario)
        if name == self.form_for and list(rows) == [key for key, _ in knobs]:
            # the same fields: new values in place, so a focused field keeps its focus
            for key, row in rows.items():
                row.text = params.current_value(scenario, key)
                row.show_error("")
        else:
            fields = self.query_one("#fields", Vertical)
            fields.remove_children()
            fields.mount_all([FieldRow(key, label, params.current_value(scenario, key)) for key, label in knobs])
        self.form_for = name
        self.query_one("#form-error", Static).update("")

    @on(OptionList.OptionHighlighted, "#scenario-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = str(event.option.prompt)
        if self.form_for == name:
            return
        try:
            scenario = self.running if name == self.running_name and self.running else load_scenario(name)
        except ScenarioError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self._fill_form(name, scenario)

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, ".field-input")
    @on(OptionList.OptionSelected, "#scenario-list")
    def apply(self) -> None:
        """Validate every field; restart with them only if all are good, else show each error inline."""
        name = self.form_for
        rows = list(self.query(FieldRow))
        extra = self.extra if name == self.running_name else {}
        texts = {row.key: row.text for row in rows}
        scenario, errors = params.validate(name, texts, {k: v for k, v in extra.items() if k not in texts})
        # an error too long for its field's row is said whole below the button (where nothing moves under
        # the mouse as it appears), after the form's own
        whole = [errors[""]] if "" in errors else []
        for row in rows:
            if not row.show_error(message := errors.get(row.key, "")):
                whole.append(f"{row.label_text}: {message}")
        self.query_one("#form-error", Static).update(Content.styled("\n".join(whole), "red") if whole else "")
        if scenario is None:
            self.post_message(Status("Not restarted: fix the field marked in red (the current run carries on)."))
            return
        if name != self.running_name:
            self.extra = {}
        self.running_name = name
        self.screen.set_focus(None)             # the keys go back to the dashboard
        self.post_message(self.Apply(name, scenario))
