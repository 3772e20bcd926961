"""Checks shared by every part of a scenario: numbers, bounds, unknown keys, each failing as one line.

A message reads ``WHERE: KEY: PROBLEM`` (the file or ``--set``, the dotted key, what is wrong). Values are
shown short (:func:`show`): a value nested a thousand levels deep or an integer of a thousand digits must
not turn a one-line message into a page, or into a crash.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any

from .errors import ScenarioError

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 40, 40
_SHORT.maxlong = 30
LARGEST = 1e300    # a bound on any number a scenario may hold: beyond it a float would overflow somewhere


def show(value: Any) -> str:
    """``repr(value)``, cut short: nesting, long lists, long strings and long integers abbreviated."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"an integer of {len(str(abs(value))) if abs(value) < 10**4000 else 'thousands of'} digits"
    return _SHORT.repr(value)


def printable(text: str, keep: str = "") -> str:
    """``text`` safe to print on a terminal: each control or format character (ESC, BEL, U+202E …) but those in
    ``keep`` written as its escape (``\\x1b``), so a scenario's words cannot move the cursor, ring the bell
    or reverse a line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def plain_name(value: str, where: str, key: str) -> str:
    """``value`` if it is a name a terminal can show as it is (no control or format characters)."""
    if not value.isprintable():
        raise fail(where, key, f"a name may not hold control or format characters, got {show(value)}")
    return value


def number_text(value: float) -> str:
    """A number as people write it: ``10,000,000``, ``0.5``, ``1e-09``."""
    if isinstance(value, bool):
        return str(value).lower()
    if abs(value) >= 1e15 and isinstance(value, float):
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def fail(where: str, key: str, problem: str) -> ScenarioError:
    """The error for ``key`` in ``where`` (raise it); a key with unprintable characters is shown quoted."""
    if key and not key.isprintable():
        key = show(key)
    return ScenarioError(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


def number(value: Any, where: str, key: str, *, integer: bool = False) -> float:
    """``value`` as a finite float (or an int when ``integer``), or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "an integer" if integer else "a number"
        raise fail(where, key, f"must be {kind}, got {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(where, key, f"must be finite, got {value!r}")
    if isinstance(value, int) and abs(value) > LARGEST:
        raise fail(where, key, f"is far too large ({show(value)})")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise fail(where, key, f"must be an integer, got {value!r}")
        return int(value)
    return float(value)


def bounded(value: float, where: str, key: str, low: float | None, high: float | None,
            low_open: bool = False) -> float:
    """``value`` if it lies within [low, high] (or (low, high] when ``low_open``), else a one-line error."""
    if low is not None and (value < low or (low_open and value == low)):
        relation = "above" if low_open else "at least"
        raise fail(where, key, f"must be {relation} {number_text(low)}, got {number_text(value)}")
    if high is not None and value > high:
        raise fail(where, key, f"must be at most {number_text(high)}, got {number_text(value)}")
    return value


def reject_unknown(table: dict[str, Any], allowed: set[str] | frozenset[str], where: str, prefix: str) -> None:
    """Refuse a key that is not ``allowed`` (a typo must never be silently ignored)."""
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise fail(where, f"{prefix}{show(key) if len(str(key)) > 40 else key}", f"unknown key (known: {known})")


def table(value: Any, where: str, key: str) -> dict[str, Any]:
    """``value`` if it is a table, else a one-line error."""
    if not isinstance(value, dict):
        raise fail(where, key, "must be a table")
    return value


def counted(n: int, noun: str) -> str:
    """'1 point', '2 points', '1,000 runs': a count with its noun in the right number (regular plurals)."""
    return f"{n:,} {noun}{'s' * (n != 1)}"
