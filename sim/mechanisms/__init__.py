"""The model's mechanisms (MODEL.md, "What agents do"), one module each, every one a compiled kernel of the
world (:mod:`sim.kernels`) written beside the docstring that says what it does. A kernel may be called
from Python on a :class:`sim.world.World` (a test, a scenario event); a simulated day calls them all in
one compiled call (:func:`sim.engine.simulate_day`).

In the order of a simulated day (the engine calls them; see :mod:`sim.engine`):

- :mod:`.forgetting`: evidence decays by λ once a night (in the same pass over every tie as the day's sample);
- :mod:`.fading`: ties left unused too long fade;
- :mod:`.imitation`: an agent copies the habits of a more-followed agent it follows;
- :mod:`.promotion`: broadcasts, social proof, following, first impressions;
- :mod:`.vouching`: seeking and giving recommendations, and the blame a voucher shares;
- :mod:`.commitments`: asking for things and committing to a deadline (with :mod:`.reciprocity`: those who
  owe the asker are asked first, a debtor's no is held against it, the shunned are refused);

and, at each deadline:

- :mod:`.delivery`: keeping or breaking (overload, asymmetry), a kept one a favour remembered
  (:mod:`.reciprocity`), which sets off
- :mod:`.generalized_trust` (trust in strangers learns from experience), voucher blame
  (:func:`.vouching.blame`), :mod:`.testimony` (the let-down speak up) and :mod:`.untie` (breaking ties).

Scenario events (reform, campaign, influx, testimony) are in :mod:`sim.scenario_events`.
"""
