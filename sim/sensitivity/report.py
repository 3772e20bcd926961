"""The printed summary of an analysis: what ran, then per measure its parameters ranked in plain words,
each with its index and interval, then where the hypothesis holds and what decides it.

Wording rules (stated so that a reader can check them against the indices table):

- Morris: parameters ranked by ``mu_star`` (± ``mu_star_conf``); the sign of ``mu`` says which way the
  measure moves when the parameter rises, when nearly all effects share a sign (|mu| >= 0.8 mu_star);
  ``sigma`` above ``mu_star`` flags an effect that is non-linear or depends on the other parameters. A
  parameter is "hardly" influential when even the top of its interval is below a tenth of the largest
  ``mu_star``.
- Sobol': ranked by ``ST`` (± ``ST_conf``); "hardly" when even the top of its interval is below 0.05.
  When the ``S1`` add up to clearly less than 1, the rest of the variance is interactions, said once.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..measures import METRICS
from ..validation import counted
from .driver import SensitivityResult

HARDLY_MORRIS = 0.1     # of the largest mu_star
HARDLY_SOBOL = 0.05     # ST


def _number(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def headline(result: SensitivityResult) -> str:
    """What ran: the design, the runs, and where the files went."""
    plan = result.plan
    sides = " (and as many comparison runs)" if plan.comparison_runs else ""
    lines = [f"sensitivity {plan.base.name}: {plan.design.describe()}, {len(plan.params)} parameters, "
             f"{counted(len(plan.points), 'point')} x {counted(plan.replicates, 'replicate')}{sides} = "
             f"{counted(len(plan.all_runs), 'run')}; "
             f"{result.ran} run now, {result.skipped} already done, {len(result.failures)} failed, in "
             f"{result.seconds:.1f}s"]
    names = ", ".join(p.name for p in result.written.values())
    lines.append(f"  wrote {names} to {result.out}/")
    return "\n".join(lines)


def _box(result: SensitivityResult) -> str:
    parts = []
    for p in result.plan.params:
        note = " (the other shares rescaled)" if p.key.endswith(".share") and p.key.startswith("archetypes.") else ""
        note += " (integers)" if p.integer else ""
        parts.append(f"{p.key} {_number(p.low)} to {_number(p.high)}{note}")
    return "parameters: " + "; ".join(parts)


def _morris_line(measure: str, rows: list[dict[str, Any]]) -> str:
    top = max(r["mu_star"] for r in rows)
    if top == 0:
        return f"{measure} does not change anywhere in the box"
    strong, weak = [], []
    for r in sorted(rows, key=lambda r: r["rank"]):
        text = f"{r['parameter']} (mu* {_number(r['mu_star'])} ± {_number(r['mu_star_conf'])}"
        if abs(r["mu"]) >= 0.8 * r["mu_star"] and r["mu"] != 0:
            text += f", {'raising it raises' if r['mu'] > 0 else 'raising it lowers'} {measure}"
        if r["sigma"] > r["mu_star"]:
            text += ", non-linear or interacting"
        text += ")"
        (weak if r["mu_star"] + r["mu_star_conf"] < HARDLY_MORRIS * top else strong).append(text)
    return _sentence(measure, "moves", strong, weak)


def _sobol_line(measure: str, rows: list[dict[str, Any]]) -> str:
    if all(r["ST"] == 0 and r["S1"] == 0 for r in rows):
        return f"{measure} does not change anywhere in the box"
    strong, weak = [], []
    for r in sorted(rows, key=lambda r: r["rank"]):
        text = f"{r['parameter']} (ST {_number(r['ST'])} ± {_number(r['ST_conf'])}, S1 {_number(r['S1'])})"
        (weak if r["ST"] + r["ST_conf"] < HARDLY_SOBOL else strong).append(text)
    line = _sentence(measure, "depends", strong, weak)
    first = sum(r["S1"] for r in rows)
    if first < 0.8:
        line += (f" The S1 add up to {first:.2f}: the rest of its variance comes from interactions (or from the "
                 "estimates' noise: see the intervals).")
    return line


def _listed(items: list[str], last: str) -> str:
    """"A", "A and B", "A, B and C" (or with "or")."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _sentence(measure: str, verb: str, strong: list[str], weak: list[str]) -> str:
    """"referral_trust depends most on A (...), then on B (...) and C (...); hardly on D (...)."."""
    preposition = "with" if verb == "moves" else "on"
    text = f"{measure} {verb}"
    if strong:
        text += f" most {preposition} {strong[0]}"
        if len(strong) > 1:
            text += f", then {preposition} {_listed(strong[1:], 'and')}"
    if weak:
        text += f"{';' if strong else ''} hardly {preposition} {_listed(weak, 'or')}"
    return text + "."


def rankings(result: SensitivityResult) -> list[str]:
    """One plain-words line per measure, parameters ranked, with their intervals."""
    indices = result.tables["indices"]
    if indices.height == 0:
        return ["no indices: not every run finished (run the same command again to complete them)"]
    if "other" in indices.columns:
        indices = indices.filter(pl.col("other").is_null())
    lines = []
    for measure in METRICS:
        if measure in result.notes:
            lines.append(f"{measure}: no indices ({result.notes[measure]})")
            continue
        rows = indices.filter(pl.col("measure") == measure).to_dicts()
        line = _morris_line(measure, rows) if result.plan.design.method == "morris" else _sobol_line(measure, rows)
        lines.append(line)
    return lines


def _legend(result: SensitivityResult) -> str:
    if result.plan.design.method == "morris":
        step = result.plan.design.levels / (2 * (result.plan.design.levels - 1))
        return (f"Morris: mu* is the mean size of a measure's change per whole range of a parameter, from steps of "
                f"{step:.3g} of the range; ± is its 95% bootstrap interval; 'hardly': even the top of the interval is "
                "below a tenth of the largest mu*.")
    return ("Sobol': ST is the share of a measure's variance over the box due to a parameter, interactions "
            "included (S1: alone); ± is its 95% bootstrap interval; 'hardly': even the top of the interval is "
            "below 0.05.")


def hypothesis_lines(result: SensitivityResult) -> list[str]:
    """Where the hypothesis holds, and the parameters that decide it, best first."""
    comparison = result.plan.comparison
    table = result.tables.get("hypothesis")
    if comparison is None or table is None or table.height == 0:
        return []
    hypothesis = comparison.hypothesis
    holds = int(table["holds"].sum())
    total = table.height
    unjudged = int((table["paired"] < 2).sum())
    lines = [f"hypothesis {hypothesis.id} (\"{hypothesis.statement}\": {hypothesis.observable.describe()} against "
             f"{hypothesis.against}) holds at {holds} of {total} sample points ({holds / total:.0%})"
             + (f"; {unjudged} could not be judged (fewer than 2 defined pairs)" if unjudged else "") + "."]
    if holds in (0, total):
        lines.append(f"  It holds {'nowhere' if holds == 0 else 'everywhere'} in the box: no parameter decides it.")
        return lines
    for row in result.tables["deciders"].sort("rank").to_dicts():
        lines.append("  " + _decider(row))
    return lines


def _decider(row: dict[str, Any]) -> str:
    """One parameter's part in the verdict, in a sentence."""
    name = row["parameter"]
    side = "higher" if row["mean_holds"] > row["mean_fails"] else "lower"
    text = (f"{row['rank']}. {name}: where it holds, {name} sits {side} in its range ({row['mean_holds']:.2f} against "
            f"{row['mean_fails']:.2f}, 0 at LOW and 1 at HIGH; rank-biserial {row['rank_biserial']:+.2f}, "
            f"p = {row['p_value']:.2g})")
    if row["rule"] is None:
        return text + "."
    return (text + f"; the split \"{name} {row['rule']} {_number(row['threshold'])}\" puts {row['holds_right']:.0%} "
            f"of the holding points and {row['fails_right']:.0%} of the others on their side (balanced accuracy "
            f"{row['balanced_accuracy']:.2f}; 0.5 is a coin).")


def summary(result: SensitivityResult) -> str:
    """The whole printed summary."""
    lines = [headline(result), _box(result)]
    if result.tables["indices"].height:
        lines.append(_legend(result))
    lines += [f"  {line}" for line in rankings(result)]
    lines += hypothesis_lines(result)
    return "\n".join(lines)
