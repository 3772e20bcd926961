"""Imitation (MODEL.md 6): an agent with imitation looks at someone it follows; if that one has more
followers, it copies its promotion rate and vouch policy ("followers mimic the bad habits of their
supposed mentors").

Each day an agent looks with chance ``imitation`` (its trait) × ``imitation.rate`` (the scenario's);
``imitation.rate = 0`` switches imitation off.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind
from ..world import World


def imitate(world: World, day: int) -> None:
    """Agents with imitation look at someone they follow and copy a more-followed one's habits."""
    people, rng = world.population, world.streams.imitation
    chance = people.view("imitation") * world.scenario.imitation.rate
    if not chance.any():
        return
    looking = np.flatnonzero(rng.random(people.size) < chance)
    _, mentors = world.ties.random_contact(looking, rng)
    ok = mentors >= 0
    looking, mentors = looking[ok], mentors[ok]
    better = people.followers[mentors] > people.followers[looking]
    looking, mentors = looking[better], mentors[better]
    if looking.size == 0:
        return
    people.promotion_rate[looking] = people.promotion_rate[mentors]
    people.vouch_policy[looking] = people.vouch_policy[mentors]
    world.log.append(day + rng.random(len(looking)), EventKind.imitate, looking, mentors)
