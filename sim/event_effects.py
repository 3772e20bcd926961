"""What each scenario event does to the world: the acting half of the scenario events.

:mod:`sim.scenario_events` reads and checks each ``[[events]]`` table into a frozen spec and imports no
mechanism and no world, so reading a scenario never loads the model. This module applies a spec to a
:class:`~sim.world.World` on its day: :func:`apply` is what the engine's scenario-event process calls.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .eventlog import EventKind
from .mechanisms import promotion, testimony
from .network import choose_targets
from .policies import POLICY_CODE
from .scenario_events import Campaign, Influx, Reform, ScenarioEvent, Testimony
from .world import World


def apply_reform(event: Reform, world: World, now: float) -> None:
    """Every member of the archetype takes the new trait values (and the new vouch policy, if any)."""
    people = world.population
    members = people.members(event.archetype)
    for trait, value in event.traits:
        people.set_trait(trait, members, value)
    if event.vouch_policy:
        people.vouch_policy[members] = POLICY_CODE[event.vouch_policy]
    world.log.append(now, EventKind.reform, members)


def apply_campaign(event: Campaign, world: World, now: float) -> None:
    """Vouch requests are pushed (x multiplier) until the campaign ends."""
    world.campaigns.append((event.day + event.duration, event.multiplier))
    world.log.append(now, EventKind.campaign, -1)


def apply_influx(event: Influx, world: World, now: float) -> None:
    """The newcomers join and follow agents in proportion to their following."""
    people, rng = world.population, world.streams.events
    existing = people.size
    count = event.newcomers(world.scenario.simulation.agents)
    index = people.names.index(event.archetype)
    newcomers = people.add(np.full(count, index, dtype=np.int16), rng, now)
    degree = rng.poisson(world.scenario.network.mean_degree, count)
    sources = np.repeat(newcomers, degree)
    targets = choose_targets(people.followers[:existing] + 1.0, len(sources), rng)
    _, positive = promotion.first_impression(world, sources, targets)
    world.tie(sources, targets, positive, 0.0, now)
    world.log.append(now, EventKind.influx, newcomers)


def apply_testimony(event: Testimony, world: World, now: float) -> None:
    """The author(s) publish their opinion of each of their contacts (of ``about``, if given)."""
    people, ties = world.population, world.ties
    authors = np.array([event.agent]) if event.agent >= 0 else people.members(event.archetype)
    owner, slots = ties.contacts_of(authors)
    subjects = ties.target[slots].astype(np.int64)
    if event.about:
        chosen = people.archetype[subjects] == people.names.index(event.about)
        owner, subjects = owner[chosen], subjects[chosen]
    testimony.testify(world, authors[owner], subjects, np.full(len(subjects), now))


EFFECTS: dict[type[ScenarioEvent], Callable[..., None]] = {
    Reform: apply_reform, Campaign: apply_campaign, Influx: apply_influx, Testimony: apply_testimony,
}


def apply(event: ScenarioEvent, world: World, now: float) -> None:
    """Make ``event`` happen in ``world`` at time ``now`` (its day)."""
    EFFECTS[type(event)](event, world, now)
