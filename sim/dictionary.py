"""The data dictionary: every column of every table trustsim writes, with its type, unit and meaning.

Measures and traits are described where they are defined (:mod:`sim.measures`,
:mod:`sim.population`); the other columns are described here, once. The types are read from real
tables, written by a tiny run and a tiny sweep, so they cannot drift from what the code writes.
``tools/update_docs.py`` renders :func:`markdown` to ``docs/DATA.md`` and a test checks it is current.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from .eventlog import ROLES
from .measures import ARCHETYPE_MEASURES, NETWORK_MEASURES, Measure
from .population import TRAIT_TABLE

#: What a value is at its row: the state on that day, a running total since day 0, fixed, or the end.
DAILY, CUMULATIVE, FIXED, END = "state that day", "cumulative since day 0", "fixed", "at the end of the run"


def _measure(measure: Measure) -> tuple[str, str, str]:
    unit = measure.unit or ("count" if measure.count else "0 to 1")
    return measure.meaning, unit, CUMULATIVE if measure.cumulative else DAILY


COLUMNS: dict[str, dict[str, tuple[str, str, str]]] = {
    "metrics": {
        "day": ("the whole day sampled (the state at the start of that day, before its actions)", "day", FIXED),
        **{m.name: _measure(m) for m in NETWORK_MEASURES},
    },
    "archetypes": {
        "day": ("the whole day sampled", "day", FIXED),
        "archetype": ("the archetype (a polars Enum of the scenario's archetypes, in its order)", "", FIXED),
        **{m.name: _measure(m) for m in ARCHETYPE_MEASURES},
    },
    "agents": {
        "agent": ("the agent's id (0 to agents - 1, newcomers after)", "", FIXED),
        "archetype": ("its archetype", "", FIXED),
        "joined": ("the day it joined (0 for the starting population)", "day", FIXED),
        **{t: (f"{trait.meaning}, as drawn when it joined", "", FIXED) for t, trait in TRAIT_TABLE.items()},
        "vouch_policy": ("its vouch policy when it joined (discerning, experience, indiscriminate, never)", "", FIXED),
        **{f"{t}_end": (f"{trait.meaning}, at the end (reforms and imitation change traits; base_rate_end is "
                        "its learned generalized trust)" if t == "base_rate" else
                        f"{trait.meaning}, at the end (a reform or imitation may have changed it)", "", END)
           for t, trait in TRAIT_TABLE.items()},
        "vouch_policy_end": ("its vouch policy at the end (imitation copies a mentor's)", "", END),
        "followers": ("agents with a live tie to it", "agents", END),
        "reputation": ("mean functional trust placed in it by those who hold an opinion (live ties, and former "
                       "ones with dealings); null if nobody does", "0 to 1", END),
        "referral_reputation": ("mean referral trust placed in it by those who judged its recommendations; "
                                "null if nobody did", "0 to 1", END),
        "global_trust": ("EigenTrust over the live ties' functional evidence, with the scenario's pre-trusted "
                         "agents; sums to 1 over all agents", "share", END),
        "promises_kept": ("commitments it kept", "commitments", CUMULATIVE),
        "promises_broken": ("commitments it broke", "commitments", CUMULATIVE),
        "vouches_given": ("recommendations it gave", "vouches", CUMULATIVE),
        "vouches_failed": ("recommendations of its that ended in a broken commitment", "vouches", CUMULATIVE),
    },
    "reputations": {
        "day": ("the whole day sampled", "day", FIXED),
        "agent": ("a tracked agent (all agents in runs of up to 2,048; a fixed sample in larger ones), from "
                  "the day it joined", "", FIXED),
        "reputation": ("its reputation that day (as in agents.reputation); null while nobody holds an opinion",
                       "0 to 1", DAILY),
    },
    "events": {
        "time": ("when, in days from the start: a fraction of a day for actions (metrics.day is a whole "
                 "day); outcomes at their deadline; what follows an outcome (testify, untie) at the whole day "
                 "it lands", "day", FIXED),
        "kind": ("what happened (a polars Enum; the roles of each kind are below)", "", FIXED),
        "actor": ("who did it (see the roles below); null where nobody", "", FIXED),
        "target": ("to whom (see the roles below); null where nobody", "", FIXED),
        "subject": ("the third party (see the roles below); null where none", "", FIXED),
        "trust_before": ("a trust before the event (see the roles below); null where none", "0 to 1", FIXED),
        "trust_after": ("a trust after the event (see the roles below); null where none", "0 to 1", FIXED),
    },
    "edges": {
        "source": ("who trusts (follows)", "", END),
        "target": ("whom", "", END),
        "created": ("the day the tie was made (negative: during the spin-up, simulation.spin_up days before "
                    "day 0)", "day", FIXED),
        "last_used": ("when the source last asked the target for something, or made the tie (a tie unused for "
                      "ties.fade_after days fades)", "day", END),
        "positive": ("functional evidence for: kept commitments, plus the pseudo-evidence of a first "
                     "impression or a vouch, plus testimony heard, all forgotten at λ per day", "evidence units", END),
        "negative": ("functional evidence against (a broken commitment adds trust.asymmetry units)",
                     "evidence units", END),
        "trust": ("functional trust (r + 2a) / (r + s + 2), a the source's generalized trust", "0 to 1", END),
        "first_hand_positive": ("the part of positive the source saw for itself (its kept commitments, and a "
                                "seeded shared past): all its testimony may tell", "evidence units", END),
        "first_hand_negative": ("the part of negative the source saw for itself (its broken commitments, and "
                                "with reciprocity the favours it called in and the target refused)",
                                "evidence units", END),
        "referral_positive": ("referral evidence for: vouch-led commitments kept", "evidence units", END),
        "referral_negative": ("referral evidence against: vouch-led commitments broken", "evidence units", END),
        "referral_trust": ("referral trust (r' + 2E) / (r' + s' + 2), E the functional trust on the same tie",
                           "0 to 1", END),
        "favours_given": ("with reciprocity: commitments the source kept for the target (0 without)", "favours",
                          END),
        "favours_received": ("with reciprocity: commitments the target kept for the source; the target owes the "
                             "source while favours_given is larger", "favours", END),
    },
}

SWEEP_COLUMNS: dict[str, dict[str, tuple[str, str, str]]] = {
    "runs": {
        "run_id": ("the run: a digest of its grid point's values, and -rNNN its replicate", "", FIXED),
        "<grid key>": ("one column per --grid key, with the run's value (scenario: the scenario's name)", "", FIXED),
        "replicate": ("the replicate (0 to replicates - 1)", "", FIXED),
        "seed": ("the run's seed: child `replicate` of SeedSequence(--seed), the same at every grid point",
                 "", FIXED),
        "<measure>": ("every network measure of metrics, as at the run's last day", "as in metrics", END),
    },
    "metrics": {
        "run_id": ("the run (as in runs)", "", FIXED),
        "day": ("the whole day sampled", "day", FIXED),
        "<measure>": ("every network measure, as in a run's metrics table", "as in metrics", DAILY),
    },
    "summary": {
        "<grid key>": ("one column per --grid key: the grid point", "", FIXED),
        "replicates": ("runs finished at this point", "runs", FIXED),
        "<measure>_mean": ("the mean over replicates of the measure's final value", "as the measure", END),
        "<measure>_std": ("their sample standard deviation (n - 1); null with one replicate", "as the measure", END),
        "<measure>_ci_low": ("the 95% confidence interval's low end (Student's t, n - 1 degrees of freedom)",
                             "as the measure", END),
        "<measure>_ci_high": ("... and its high end", "as the measure", END),
    },
}


def run_schemas() -> dict[str, pl.Schema]:
    """The schema of every table a run writes, read from a tiny run's real tables."""
    from .config import load
    from .engine import Simulation
    from .exports import FRAMES, frame

    sim = Simulation(load("broken_promises", {"simulation.agents": 30, "simulation.days": 3})).run()
    return {name: frame(sim, name).schema for name in FRAMES}


def sweep_schemas() -> dict[str, pl.Schema]:
    """The schema of a sweep's tables, from a tiny real sweep."""
    from .config import load
    from .sweep import run_sweep

    with tempfile.TemporaryDirectory() as out:
        scenario = load("baseline", {"simulation.agents": 20, "simulation.days": 2})
        run_sweep(scenario, ["trust.asymmetry=1,2"], out, replicates=2, workers=1)
        return {name: pl.read_parquet(Path(out) / f"{name}.parquet").schema for name in SWEEP_COLUMNS}


def _type(dtype: pl.DataType) -> str:
    return "Enum" if isinstance(dtype, pl.Enum) else str(dtype)


def _table(columns: dict[str, tuple[str, str, str]], schema: dict[str, str]) -> list[str]:
    lines = ["| column | type | unit | value | meaning |", "|---|---|---|---|---|"]
    for name, (meaning, unit, kind) in columns.items():
        lines.append(f"| `{name}` | {schema.get(name, '')} | {unit} | {kind} | {meaning} |")
    return lines


def markdown() -> str:
    """The whole data dictionary as Markdown."""
    runs = run_schemas()
    sweeps = sweep_schemas()
    lines = ["# The data dictionary", "",
             "Every table trustsim writes, column by column: its polars type, its unit, what its value is at "
             "its row (the state on that day, a running total since day 0, fixed, or the state at the end of "
             "the run), and what it means. Generated from the code by `make docs`; do not edit.", "",
             "## A run's tables (`trustsim run --out DIR`, the dashboard's export)", ""]
    for table, columns in COLUMNS.items():
        schema = {name: _type(dtype) for name, dtype in runs[table].items()}
        missing = set(schema) - set(columns)
        if missing:
            raise ValueError(f"{table}: columns without a description: {sorted(missing)}")
        lines += [f"### `{table}`", "", *_table(columns, schema), ""]
    lines += ["### Who is who in `events`", "", "| kind | actor | target | subject | trust_before | trust_after |",
              "|---|---|---|---|---|---|"]
    for kind, roles in ROLES.items():
        lines.append(f"| `{kind.name}` | " + " | ".join(role or "null" for role in roles) + " |")
    lines += ["", "## A sweep's tables (`trustsim sweep --out DIR`)", ""]
    for table, columns in SWEEP_COLUMNS.items():
        schema = {name: _type(dtype) for name, dtype in sweeps[table].items()}
        shown = dict(schema)
        shown.setdefault("<grid key>", "Float64, Int64, Boolean or String")
        shown.setdefault("<measure>", "Float64 (Int64 for counts)")
        for suffix in ("_mean", "_std", "_ci_low", "_ci_high"):
            shown.setdefault(f"<measure>{suffix}", "Float64")
        lines += [f"### `{table}`", "", *_table(columns, shown), ""]
    lines += ["Every run folder and sweep folder also holds `manifest.json`: the fully resolved scenario, the "
              "seeds, the versions of everything that computed the tables, the command line, and each file's "
              "rows and sha256.", ""]
    return "\n".join(lines)
