"""Hypotheses as data: what a scenario claims, stated before anyone looks at results.

Each ``[[hypotheses]]`` table of a scenario file names:

- ``id`` and ``statement`` (plain words), and optionally ``cause``: the mechanism said to cause it;
- ``measure`` (an observable, :mod:`sim.observables`), with ``day``, ``window`` or ``since`` for a
  series (``relative = true`` with ``since``: the change as a share of the value then) and ``args``
  for a derived measure;
- what it is compared with: another scenario (``compare = "baseline"``), the same scenario with
  overrides (``control = { "imitation.rate" = 0 }``: a mechanism switched off), both, or a fixed value
  (``than = 0.7``);
- ``direction`` (``higher``, ``lower`` or ``within``) and ``min_effect``;
- ``seeds`` (how many paired runs) and ``seed`` (their base), and optionally ``horizon`` (days to run,
  default the scenario's own);
- ``registered`` (the date it was first stated) and ``amendments`` (each a table: ``date``, ``what``
  changed, ``why``): a hypothesis may be amended after results are seen, but never silently;
- optionally ``kind``, which must agree with the comparison: ``ablation`` (the same scenario with a
  mechanism switched off, ``control`` only: the one kind that shows a cause), ``comparison`` (another
  scenario, ``compare``: two worlds that differ in several ways) or ``threshold`` (a fixed value,
  ``than``: a level, not a cause).

A hypothesis holds when the whole 95% interval of the paired effect (this scenario minus the
comparison, the same seed on both sides) lies beyond ``min_effect`` in the stated direction; for
``within``, inside ``[-min_effect, min_effect]``. :mod:`sim.check` runs them.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from . import observables
from .observables import Observable
from .validation import bounded, fail, number, reject_unknown, show

DIRECTIONS = ("higher", "lower", "within")
KINDS = ("ablation", "comparison", "threshold")
KEYS = {"id", "statement", "cause", "note", "measure", "day", "window", "since", "relative", "args", "compare",
        "control", "than", "direction", "min_effect", "seeds", "seed", "horizon", "kind", "registered",
        "amendments"}


@dataclass(frozen=True)
class Amendment:
    """A change to a hypothesis after it was registered: when, what changed, and why."""

    date: str
    what: str
    why: str


@dataclass(frozen=True)
class Hypothesis:
    """One stated hypothesis of a scenario (see the module docstring for the keys)."""

    id: str
    statement: str
    observable: Observable
    direction: str
    min_effect: float
    seeds: int
    seed: int
    compare: str = ""                                   # another scenario's name ("" : this one)
    control: tuple[tuple[str, Any], ...] = ()           # overrides for the comparison side
    than: float | None = None                           # a fixed value to compare with
    horizon: int | None = None                          # days to run both sides (None: the scenario's)
    cause: str = ""
    note: str = ""
    registered: str = ""                                # ISO date it was first stated ("": not said)
    amendments: tuple[Amendment, ...] = ()
    table: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)   # as written

    @property
    def kind(self) -> str:
        """``threshold`` (a fixed value), ``comparison`` (another scenario) or ``ablation`` (a switch)."""
        if self.than is not None:
            return "threshold"
        return "comparison" if self.compare else "ablation"

    @property
    def terms(self) -> dict[str, Any]:
        """What the test is, fixed in advance: the measure, the comparison, the direction and margin, the
        horizon and the seeds. Changing any of these is an amendment."""
        return {"measure": self.observable.key(), "compare": self.compare,
                "control": [[key, _literal(value)] for key, value in self.control], "than": self.than,
                "direction": self.direction, "min_effect": self.min_effect, "horizon": self.horizon,
                "seeds": self.seeds, "seed": self.seed}

    @property
    def overrides(self) -> list[str]:
        """The comparison side's overrides as ``KEY=VALUE`` strings."""
        return [f"{key}={_literal(value)}" for key, value in self.control]

    @property
    def against(self) -> str:
        """The comparison as a reader sees it: ``baseline``, ``imitation.rate=0``, ``0.7``."""
        if self.than is not None:
            return f"{self.than:g}"
        overrides = " ".join(self.overrides)
        if self.compare and overrides:
            return f"{self.compare} with {overrides}"
        return self.compare or overrides

    def holds(self, low: float, high: float) -> bool:
        """Does the effect's interval [low, high] lie beyond ``min_effect`` in the stated direction?"""
        if math.isnan(low) or math.isnan(high):
            return False
        if self.direction == "higher":
            return low > self.min_effect
        if self.direction == "lower":
            return high < -self.min_effect
        return -self.min_effect < low and high < self.min_effect


def horizon_problem(hypothesis: Hypothesis, horizon: int) -> str:
    """Why runs of ``horizon`` days cannot be read as the hypothesis says (a day beyond them), or ""."""
    observable = hypothesis.observable
    days = [observable.day, observable.since, *(observable.window or ())]
    days += [value for key, value in observable.args if key in ("lapse", "reform")]
    spans = dict(observable.args)
    if "reform" in spans and "span" in spans:
        days.append(spans["reform"] + spans["span"])
    if "after" in spans:
        days.append(spans["after"])
    late = [d for d in days if d is not None and d > horizon]
    return f"reads day {max(late):g} but the runs last {horizon} days" if late else ""


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def parse(index: int, table: Any, where: str, archetypes: tuple[str, ...]) -> Hypothesis:
    """The ``index``-th ``[[hypotheses]]`` table, checked (one-line ScenarioError if it is not right)."""
    prefix = f"hypotheses[{index}]."
    if not isinstance(table, dict):
        raise fail(where, prefix.rstrip("."), "must be a table")
    reject_unknown(table, KEYS, where, prefix)
    for key in ("id", "statement", "measure", "direction", "min_effect", "seeds", "seed"):
        if key not in table:
            raise fail(where, prefix + key, "is required (hypotheses are stated in full, in advance)")
    text = {key: _text(table, key, where, prefix) for key in ("id", "statement", "measure", "direction",
                                                              "compare", "cause", "note")}
    if text["direction"] not in DIRECTIONS:
        raise fail(where, prefix + "direction", f"must be one of {', '.join(DIRECTIONS)}, got {show(text['direction'])}")
    horizon = int(_number(table, "horizon", where, prefix, 1, 100_000, integer=True, default=0)) or None
    observable = _observable(table, text["measure"], where, prefix, horizon or 100_000, archetypes)
    than = table.get("than")
    if than is not None:
        than = number(than, where, prefix + "than")
        if "compare" in table or "control" in table:
            raise fail(where, prefix + "than", "compare with a fixed value or with runs, not both")
    control = table.get("control", {})
    if not isinstance(control, dict):
        raise fail(where, prefix + "control", "must be a table of KEY = VALUE overrides")
    for key in control:
        if str(key).split(".")[0] == "simulation":
            # both sides run the same agents, days and seeds, or their difference would not be the mechanism's
            raise fail(where, f"{prefix}control.{key}", "a control changes a mechanism or a parameter; the run's "
                       "agents, days and seeds are the hypothesis's own (horizon, seeds, seed)")
    if than is None and not text["compare"] and not control:
        raise fail(where, prefix + "compare", "needs a comparison: compare, control or than")
    registered = _date(table.get("registered"), where, prefix + "registered") if "registered" in table else ""
    amendments = _amendments(table.get("amendments", []), where, prefix)
    hypothesis = Hypothesis(
        id=text["id"], statement=text["statement"], observable=observable, direction=text["direction"],
        min_effect=_number(table, "min_effect", where, prefix, 0.0, None),
        seeds=int(_number(table, "seeds", where, prefix, 2, 10_000, integer=True)),
        seed=int(_number(table, "seed", where, prefix, 0, 2**63 - 1, integer=True)),
        compare=text["compare"], control=tuple(sorted(control.items())), than=than,
        horizon=horizon, cause=text["cause"], note=text["note"], registered=registered, amendments=amendments,
        table=_as_written(table, registered, amendments))
    if "kind" in table and table["kind"] != hypothesis.kind:
        raise fail(where, prefix + "kind", f"is {show(table['kind'])}, but a hypothesis with "
                   f"{'than' if hypothesis.kind == 'threshold' else 'compare' if hypothesis.kind == 'comparison' else 'only a control'} "
                   f"is a {hypothesis.kind} (kinds: {', '.join(KINDS)})")
    return hypothesis


def _as_written(table: dict[str, Any], registered: str, amendments: tuple[Amendment, ...]) -> dict[str, Any]:
    """The table as written, its dates as ISO strings: a scenario's tables go into JSON (a run's manifest,
    a check's rows) as well as back into TOML, and JSON has no dates."""
    written = dict(table)
    if registered:
        written["registered"] = registered
    if amendments:
        written["amendments"] = [{**entry, "date": amendment.date}
                                 for entry, amendment in zip(table["amendments"], amendments, strict=True)]
    return written


def _date(value: Any, where: str, key: str) -> str:
    """An ISO date (a TOML date, or a string like 2026-11-23)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise fail(where, key, f"must be a date like 2026-11-23, got {show(value)}")


def _amendments(value: Any, where: str, prefix: str) -> tuple[Amendment, ...]:
    if not isinstance(value, list):
        raise fail(where, prefix + "amendments", "must be an array of tables ([[hypotheses.amendments]])")
    amendments = []
    for index, entry in enumerate(value):
        key = f"{prefix}amendments[{index}]."
        if not isinstance(entry, dict):
            raise fail(where, key.rstrip("."), "must be a table with date, what and why")
        reject_unknown(entry, {"date", "what", "why"}, where, key)
        for name in ("date", "what", "why"):
            if name not in entry:
                raise fail(where, key + name, "is required (an amendment says when, what changed, and why)")
        for name in ("what", "why"):
            if not isinstance(entry[name], str) or not entry[name].strip():
                raise fail(where, key + name, f"must be a sentence, got {show(entry[name])}")
        amendments.append(Amendment(_date(entry["date"], where, key + "date"), entry["what"], entry["why"]))
    return tuple(amendments)


def _text(table: dict[str, Any], key: str, where: str, prefix: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise fail(where, prefix + key, f"must be a string, got {show(value)}")
    return value


def _number(table: dict[str, Any], key: str, where: str, prefix: str, low: float | None, high: float | None,
            *, integer: bool = False, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise fail(where, prefix + key, "is required")
        return default
    return bounded(number(table[key], where, prefix + key, integer=integer), where, prefix + key, low, high)


def _observable(table: dict[str, Any], name: str, where: str, prefix: str, horizon: int,
                archetypes: tuple[str, ...]) -> Observable:
    if not observables.known(name):
        derived = ", ".join(sorted(observables.DERIVED))
        raise fail(where, prefix + "measure", f"unknown measure {show(name)} (a network measure, "
                   f"archetype.NAME.COLUMN, or one of {derived})")
    if name.startswith("archetype.") and name.split(".")[1] not in archetypes:
        raise fail(where, prefix + "measure", f"unknown archetype in {show(name)} (known: {', '.join(archetypes)})")
    args = table.get("args", {})
    if not isinstance(args, dict):
        raise fail(where, prefix + "args", "must be a table")
    derived = observables.DERIVED.get(name)
    if derived is None:
        if args:
            raise fail(where, prefix + "args", f"{name} takes no args (it is read by day, window or since)")
        day = table.get("day")
        window = table.get("window")
        if day is not None and window is not None:
            raise fail(where, prefix + "window", "give a day or a window, not both")
        day = None if day is None else int(_number(table, "day", where, prefix, 0, horizon, integer=True))
        if window is not None:
            if not isinstance(window, list) or len(window) != 2:
                raise fail(where, prefix + "window", f"must be [first, last], got {show(window)}")
            first, last = (int(bounded(number(v, where, prefix + "window", integer=True), where,
                                       prefix + "window", 0, horizon)) for v in window)
            if first > last:
                raise fail(where, prefix + "window", f"first day {first} is after last day {last}")
            window = (first, last)
        since = None if "since" not in table else int(_number(table, "since", where, prefix, 0, horizon,
                                                              integer=True))
        relative = table.get("relative", False)
        if not isinstance(relative, bool):
            raise fail(where, prefix + "relative", f"must be true or false, got {show(relative)}")
        if relative and since is None:
            raise fail(where, prefix + "relative", "is a change since a day: give since too")
        return Observable(name, day=day, window=window, since=since, relative=relative)
    for key in ("day", "window", "since", "relative"):
        if key in table:
            raise fail(where, prefix + key, f"{name} is read on the whole run; give its args instead")
    reject_unknown(args, set(derived.args), where, prefix + "args.")
    values = []
    for key, kind in derived.args.items():
        if key not in args:
            raise fail(where, f"{prefix}args.{key}", f"is required by {name}")
        value = args[key]
        if kind is str:
            if not isinstance(value, str) or value not in archetypes:
                raise fail(where, f"{prefix}args.{key}", f"must be an archetype (known: {', '.join(archetypes)})")
        else:
            value = kind(bounded(number(value, where, f"{prefix}args.{key}", integer=kind is int), where,
                                 f"{prefix}args.{key}", 0, horizon))
        values.append((key, value))
    return Observable(name, args=tuple(values))
