"""Imitation (MODEL.md 6): an agent with imitation looks at someone it follows; if that one has more
followers, it copies its promotion rate and vouch policy ("followers mimic the bad habits of their
supposed mentors").

Each day an agent looks with chance ``imitation`` (its trait) × ``imitation.rate`` (the scenario's);
``imitation.rate = 0`` switches imitation off.
"""

from __future__ import annotations

import numpy as np

from ..eventlog import EventKind, reserve, write
from ..kernels import kernel
from ..ties import random_ends


@kernel
def imitate(w, day: int) -> None:
    """Agents with imitation look at someone they follow and copy a more-followed one's habits."""
    people, rng = w.people, w.imitation
    agents = people.size[0]
    chance = people.imitation[:agents] * w.config.imitation_rate
    if not chance.any():
        return                                      # nobody imitates: nothing is drawn
    looking = np.empty(agents, dtype=np.int64)
    count = 0
    for agent in range(agents):
        if rng.random() < chance[agent]:
            looking[count] = agent
            count += 1
    _, mentors = random_ends(w.ties, looking[:count], True, rng)
    copies = np.empty(count, dtype=np.int64)
    copied = 0
    for i in range(count):
        if mentors[i] >= 0 and people.followers[mentors[i]] > people.followers[looking[i]]:
            looking[copied], copies[copied] = looking[i], mentors[i]
            copied += 1
    if copied == 0:
        return
    looking, mentors = looking[:copied], copies[:copied]
    rates, policies = people.promotion_rate[mentors], people.vouch_policy[mentors]   # all read, then all set
    people.promotion_rate[looking] = rates
    people.vouch_policy[looking] = policies
    row = reserve(w.log, copied, EventKind.imitate)
    for i in range(copied):
        write(w.log, row + i, day + rng.random(), looking[i], mentors[i])
