"""Hand-built worlds of a few agents, for testing one mechanism at a time.

``world(5, reliability=1.0)`` gives five agents of one archetype ("plain") with the traits given (the
rest at neutral defaults), no ties and no history; ``tie(w, 0, 1, positive=2)`` adds a tie 0 -> 1.
``scenario=`` overrides take any dotted scenario key, as ``--set`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config import from_dict
from sim.world import World

NEUTRAL = {"reliability": 0.9, "capacity": 4.0, "acceptance": 1.0, "request_rate": 0.0, "seek_rate": 0.0,
           "promotion_rate": 0.0, "popularity_bias": 0.0, "imitation": 0.0, "base_rate": 0.5}


def world(agents: int = 5, *, scenario: dict[str, Any] | None = None, policy: str = "discerning",
          **traits: float) -> World:
    """``agents`` agents of one archetype with the given traits, on seed 1, with no ties."""
    raw: dict[str, Any] = {
        "simulation": {"agents": agents, "days": 10, "seed": 1},
        "archetypes": {"plain": {"share": 1.0, "vouch_policy": policy, **NEUTRAL, **traits}},
    }
    for dotted, value in (scenario or {}).items():
        table = raw
        *parents, last = dotted.split(".")
        for part in parents:
            table = table.setdefault(part, {})
        table[last] = value
    built = World.empty(from_dict(raw, "<test world>"))
    built.population.add(np.zeros(agents, dtype=np.int16), built.streams.setup)
    return built


def tie(w: World, source: int, target: int, positive: float = 0.0, negative: float = 0.0,
        dealings: float = 0.0, first_hand: bool = False) -> int:
    """Add the tie source -> target with the given evidence (``first_hand``: what the source saw for
    itself, as a shared past; else pseudo-evidence, as a first impression); returns its slot."""
    created = w.tie(np.array([source]), np.array([target]), np.array([positive]), np.array([negative]), 0.0,
                    np.array([dealings]), first_hand=first_hand)
    assert created.all()
    return int(w.ties.find(np.array([source]), np.array([target]))[0])


def ids(*agents: int) -> np.ndarray:
    return np.array(agents, dtype=np.int64)


def kinds(w: World) -> list[str]:
    """The kinds of the events logged so far, in order."""
    from sim.eventlog import EventKind

    return [EventKind(k).name for k in w.log.columns()["kind"]]
