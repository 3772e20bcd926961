"""Checks shared by every part of a scenario: numbers, bounds, unknown keys, each failing as one line.

A message reads ``WHERE: KEY: PROBLEM`` (the file or ``--set``, the dotted key, what is wrong).
"""

from __future__ import annotations

import math
from typing import Any

from .errors import ScenarioError


def fail(where: str, key: str, problem: str) -> ScenarioError:
    """The error for ``key`` in ``where`` (raise it)."""
    return ScenarioError(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


def number(value: Any, where: str, key: str, *, integer: bool = False) -> float:
    """``value`` as a finite float (or an int when ``integer``), or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "an integer" if integer else "a number"
        raise fail(where, key, f"must be {kind}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(where, key, f"must be finite, got {value!r}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise fail(where, key, f"must be an integer, got {value!r}")
        return int(value)
    return float(value)


def bounded(value: float, where: str, key: str, low: float | None, high: float | None,
            low_open: bool = False) -> float:
    """``value`` if it lies within [low, high] (or (low, high] when ``low_open``), else a one-line error."""
    if low is not None and (value < low or (low_open and value == low)):
        relation = ">" if low_open else ">="
        raise fail(where, key, f"must be {relation} {low:g}, got {value:g}")
    if high is not None and value > high:
        raise fail(where, key, f"must be <= {high:g}, got {value:g}")
    return value


def reject_unknown(table: dict[str, Any], allowed: set[str] | frozenset[str], where: str, prefix: str) -> None:
    """Refuse a key that is not ``allowed`` (a typo must never be silently ignored)."""
    for key in table:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise fail(where, f"{prefix}{key}", f"unknown key (known: {known})")


def table(value: Any, where: str, key: str) -> dict[str, Any]:
    """``value`` if it is a table, else a one-line error."""
    if not isinstance(value, dict):
        raise fail(where, key, "must be a table")
    return value
