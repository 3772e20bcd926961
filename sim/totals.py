"""The network-wide running totals of a run, by index into the one shared array ``Counters.totals``.

Written by the mechanisms (through :mod:`sim.world`), read by the measures; kept apart from the world so
that the measures' names and definitions load without it (reading a scenario needs them).
"""

TIES_BROKEN, TIES_FADED, VOUCH_KEPT, VOUCH_BROKEN = range(4)
