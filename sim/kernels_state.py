"""The world as the kernels see it: each store a numba structure of typed arrays, built once per run.

A simulated day is one call into compiled code (:mod:`sim.engine`), so the state a day changes must
cross into compiled code cheaply and stay there: each store of the world (:mod:`sim.world`) is a
*structref* (numba's mutable structure, passed by reference), and the world itself is one holding
them all, with the random streams of the mechanisms. A call then unboxes one pointer, not a hundred
arrays and six random generators (about 20 µs each).

Arrays made in Python (the population's, the tallies') are shared with the structures, not copied:
a write on either side is seen by the other. Arrays that grow (the tie table, the key indexes, the
ledgers, the event log, the deadline book) are grown by doubling *inside* the kernels, which then
point their structure at the new array and bump the store's ``generation``; the Python side
(:class:`sim.ties.TieTable`, :class:`sim.eventlog.EventLog`) takes fresh views when that changes.
Counts that Python reads often (agents, ties, events) live in small shared arrays for the same reason.

This module imports numba; it is imported only when the first store is built, never by ``import sim``.
Each structure's constructor is a cached compiled function, so a fresh process builds a world without
compiling anything.
"""

from __future__ import annotations

from typing import Any

from numba import njit, types
from numba.experimental import structref

from .kernels import numba

numba()   # the kernel cache, set up before the constructors below are compiled or loaded

F64, F32 = types.float64[::1], types.float32[::1]
I64, I32, I16, I8, U8 = types.int64[::1], types.int32[::1], types.int16[::1], types.int8[::1], types.uint8[::1]
BOOL = types.boolean[::1]
GENERATOR = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")


def _struct(name: str) -> tuple[type, type]:
    """A structref type class and its Python proxy, registered for boxing."""
    type_class = structref.register(type(f"{name}Type", (types.StructRef,), {
        "preprocess_fields": lambda self, fields: tuple((n, types.unliteral(t)) for n, t in fields),
        "__module__": __name__}))
    proxy = type(name, (structref.StructRefProxy,), {"__module__": __name__})
    structref.define_boxing(type_class, proxy)
    return type_class, proxy


IndexType, Index = _struct("Index")
TiesType, Ties = _struct("Ties")
LedgerType, Ledger = _struct("Ledger")
LogType, Log = _struct("Log")
BookType, Book = _struct("Book")
PeopleType, People = _struct("People")
TalliesType, Tallies = _struct("Tallies")
ConfigType, Config = _struct("Config")
SampleType, Sample = _struct("Sample")
RecordType, Record = _struct("Record")
WorldType, World = _struct("World")

# ---------------------------------------------------------------- the layouts

INDEX = IndexType([
    ("main_second", I32), ("main_slots", I32), ("main_start", I64), ("main_count", types.int64),
    ("recent_keys", I64), ("recent_slots", I32), ("recent_start", I64), ("recent_count", types.int64),
    ("fold_fraction", types.int64), ("fold_minimum", types.int64),
])
TIE_COLUMNS = ("source", "target", "alive", "faded", "created", "used", "dealings", "positive", "negative",
               "ref_positive", "ref_negative", "own_positive", "own_negative", "given", "received")
TIES = TiesType([
    ("source", I32), ("target", I32), ("alive", BOOL), ("faded", BOOL), ("created", F32), ("used", F32),
    ("dealings", F32), ("positive", F64), ("negative", F64), ("ref_positive", F64), ("ref_negative", F64),
    ("own_positive", F64), ("own_negative", F64),
    ("given", F32), ("received", F32),   # favours the source did for the target, and the target for it
    ("sizes", I64),             # shared: [slots used, live ties]
    ("generation", I64),        # shared: bumped whenever a column is reallocated
    ("outgoing", INDEX), ("incoming", INDEX),
])
LEDGER = LedgerType([
    ("positive", F64), ("negative", F64), ("written", I32), ("size", types.int64), ("forgetting", types.float64),
    ("index", INDEX),
])
LOG_COLUMNS = ("time", "kind", "actor", "target", "subject", "trust_before", "trust_after")
LOG = LogType([
    ("time", F64), ("kind", U8), ("actor", I32), ("target", I32), ("subject", I32), ("trust_before", F32),
    ("trust_after", F32),
    ("rows", I64),              # shared: [rows logged]
    ("counts", I64),            # shared: rows per kind
    ("generation", I64),        # shared
])
BOOK = BookType([
    ("requester", I32), ("provider", I32), ("voucher", I32), ("due", F64), ("due_day", I64), ("count", types.int64),
])
PEOPLE = PeopleType([
    ("size", I64),              # shared: [agents so far]
    ("archetype", I16), ("vouch_policy", I8),
    ("reliability", F64), ("capacity", F64), ("acceptance", F64), ("request_rate", F64), ("seek_rate", F64),
    ("promotion_rate", F64), ("popularity_bias", F64), ("imitation", F64), ("base_rate", F64),
    ("followers", I64), ("load", I64), ("disposition", F64), ("seen_kept", F64), ("seen_broken", F64),
    ("reliability_order", I64),  # a stable argsort of the reliability of the agents so far ...
    ("order_valid", I64),        # shared: [1 while it is]
])
TALLIES = TalliesType([
    ("promises_kept", I64), ("promises_broken", I64), ("vouches_given", I64), ("vouches_failed", I64),
    ("vouched_reliability", F64),
    ("totals", I64),            # shared: [ties_broken, ties_faded, vouch_kept, vouch_broken]
])
CONFIG_FIELDS = (
    ("days", types.int64), ("archetypes", types.int64),
    ("asymmetry", types.float64), ("forgetting", types.float64), ("generalized_learning", types.float64),
    ("untie_threshold", types.float64), ("untie_evidence", types.float64), ("untie", types.boolean),
    ("fade", types.boolean), ("fade_after", types.float64),
    ("duration_min", types.float64), ("duration_max", types.float64), ("overload", types.boolean),
    ("vouch_threshold", types.float64), ("min_dealings", types.float64), ("endorsement", types.float64),
    ("tie_threshold", types.float64), ("blame", types.boolean), ("discounting", types.boolean),
    ("uncertain_referrals", types.boolean),
    ("promotion", types.boolean), ("reach", types.int64), ("follow_base", types.float64),
    ("social_proof", types.float64), ("follower_scale", types.float64), ("impression_bias", types.boolean),
    ("testimony", types.boolean), ("testimony_probability", types.float64), ("reaches_strangers", types.boolean),
    ("first_hand", types.boolean),
    ("imitation_rate", types.float64),
    ("reciprocity", types.boolean), ("reciprocity_weight", types.float64),
)
CONFIG = ConfigType(list(CONFIG_FIELDS))
SAMPLE = SampleType([
    ("trust_sum", types.float64), ("live_ties", types.int64), ("weight_sum", types.float64),
    ("referral_sum", types.float64), ("referral_live", types.int64),
    ("reputation_total", F64), ("reputation_held", F64), ("referral_total", F64), ("referral_held", F64),
    ("reputation", F64), ("referral_reputation", F64),
])
RECORD = RecordType([
    ("days", I64), ("metrics", types.float64[:, ::1]), ("archetypes", types.float64[:, :, ::1]),
    ("tracked", I64), ("tracked_rows", types.float32[:, ::1]),
    ("rows", I64),              # shared: [days recorded]
])
WORLD = WorldType([
    ("people", PEOPLE), ("ties", TIES), ("log", LOG), ("tallies", TALLIES), ("hearsay", LEDGER), ("told", LEDGER),
    ("book", BOOK), ("config", CONFIG), ("sample", SAMPLE),
    ("nights", I64),            # shared: [forgetting nights so far]
    ("campaigns", types.float64[:, ::1]),   # shared: (end day, vouch-request factor) of each campaign so far
    ("campaign_count", I64),    # shared: [campaigns so far]
    ("imitation", GENERATOR), ("promotion", GENERATOR), ("vouching", GENERATOR), ("commitments", GENERATOR),
    ("delivery", GENERATOR), ("testimony", GENERATOR),
])


# ---------------------------------------------------------------- constructors (compiled once, cached)

@njit(cache=True)
def new_index(main_second, main_slots, main_start, recent_keys, recent_slots, recent_start, fold_fraction,
              fold_minimum):
    index = structref.new(INDEX)
    index.main_second = main_second
    index.main_slots = main_slots
    index.main_start = main_start
    index.main_count = 0
    index.recent_keys = recent_keys
    index.recent_slots = recent_slots
    index.recent_start = recent_start
    index.recent_count = 0
    index.fold_fraction = fold_fraction
    index.fold_minimum = fold_minimum
    return index


@njit(cache=True)
def new_ties(columns, sizes, generation, outgoing, incoming):
    ties = structref.new(TIES)
    (ties.source, ties.target, ties.alive, ties.faded, ties.created, ties.used, ties.dealings, ties.positive,
     ties.negative, ties.ref_positive, ties.ref_negative, ties.own_positive, ties.own_negative, ties.given,
     ties.received) = columns
    ties.sizes = sizes
    ties.generation = generation
    ties.outgoing = outgoing
    ties.incoming = incoming
    return ties


@njit(cache=True)
def tie_columns(ties):
    """The tie table's columns (in :data:`TIE_COLUMNS` order), as they are now."""
    return (ties.source, ties.target, ties.alive, ties.faded, ties.created, ties.used, ties.dealings,
            ties.positive, ties.negative, ties.ref_positive, ties.ref_negative, ties.own_positive,
            ties.own_negative, ties.given, ties.received)


@njit(cache=True)
def new_ledger(positive, negative, written, forgetting, index):
    ledger = structref.new(LEDGER)
    ledger.positive = positive
    ledger.negative = negative
    ledger.written = written
    ledger.size = 0
    ledger.forgetting = forgetting
    ledger.index = index
    return ledger


@njit(cache=True)
def new_log(columns, rows, counts, generation):
    log = structref.new(LOG)
    log.time, log.kind, log.actor, log.target, log.subject, log.trust_before, log.trust_after = columns
    log.rows = rows
    log.counts = counts
    log.generation = generation
    return log


@njit(cache=True)
def log_columns(log):
    """The event log's columns (in :data:`LOG_COLUMNS` order), as they are now."""
    return (log.time, log.kind, log.actor, log.target, log.subject, log.trust_before, log.trust_after)


@njit(cache=True)
def new_book(requester, provider, voucher, due, due_day):
    book = structref.new(BOOK)
    book.requester = requester
    book.provider = provider
    book.voucher = voucher
    book.due = due
    book.due_day = due_day
    book.count = 0
    return book


@njit(cache=True)
def new_people(size, archetype, vouch_policy, traits, state, learning, reliability_order, order_valid):
    people = structref.new(PEOPLE)
    people.size = size
    people.archetype = archetype
    people.vouch_policy = vouch_policy
    (people.reliability, people.capacity, people.acceptance, people.request_rate, people.seek_rate,
     people.promotion_rate, people.popularity_bias, people.imitation, people.base_rate) = traits
    people.followers, people.load = state
    people.disposition, people.seen_kept, people.seen_broken = learning
    people.reliability_order = reliability_order
    people.order_valid = order_valid
    return people


@njit(cache=True)
def new_tallies(promises_kept, promises_broken, vouches_given, vouches_failed, vouched_reliability, totals):
    tallies = structref.new(TALLIES)
    tallies.promises_kept = promises_kept
    tallies.promises_broken = promises_broken
    tallies.vouches_given = vouches_given
    tallies.vouches_failed = vouches_failed
    tallies.vouched_reliability = vouched_reliability
    tallies.totals = totals
    return tallies


@njit(cache=True)
def new_config(days, archetypes, reals, switches, reach):
    """The scenario's parameters the kernels read (``reals`` and ``switches`` in the order unpacked below)."""
    config = structref.new(CONFIG)
    config.days = days
    config.archetypes = archetypes
    (config.asymmetry, config.forgetting, config.generalized_learning, config.untie_threshold,
     config.untie_evidence, config.fade_after, config.duration_min, config.duration_max, config.vouch_threshold,
     config.min_dealings, config.endorsement, config.tie_threshold, config.follow_base, config.social_proof,
     config.follower_scale, config.testimony_probability, config.imitation_rate, config.reciprocity_weight) = reals
    (config.untie, config.fade, config.overload, config.blame, config.discounting, config.uncertain_referrals,
     config.promotion, config.impression_bias, config.testimony, config.reaches_strangers,
     config.first_hand, config.reciprocity) = switches
    config.reach = reach
    return config


@njit(cache=True)
def new_sample(reputation_total, reputation_held, referral_total, referral_held, reputation, referral_reputation):
    sample = structref.new(SAMPLE)
    sample.trust_sum = 0.0
    sample.live_ties = 0
    sample.weight_sum = 0.0
    sample.referral_sum = 0.0
    sample.referral_live = 0
    sample.reputation_total = reputation_total
    sample.reputation_held = reputation_held
    sample.referral_total = referral_total
    sample.referral_held = referral_held
    sample.reputation = reputation
    sample.referral_reputation = referral_reputation
    return sample


@njit(cache=True)
def sample_sums(sample):
    return (sample.trust_sum, sample.live_ties, sample.weight_sum, sample.referral_sum, sample.referral_live)


@njit(cache=True)
def sample_arrays(sample):
    """(reputation_total, reputation_held, referral_total, referral_held, reputation, referral_reputation)."""
    return (sample.reputation_total, sample.reputation_held, sample.referral_total, sample.referral_held,
            sample.reputation, sample.referral_reputation)


@njit(cache=True)
def world_sample(world):
    return world.sample


@njit(cache=True)
def new_record(days, metrics, archetypes, tracked, tracked_rows, rows):
    record = structref.new(RECORD)
    record.days = days
    record.metrics = metrics
    record.archetypes = archetypes
    record.tracked = tracked
    record.tracked_rows = tracked_rows
    record.rows = rows
    return record


@njit(cache=True)
def new_world(people, ties, log, tallies, hearsay, told, book, config, sample, nights, campaigns, campaign_count,
              streams):
    world = structref.new(WORLD)
    world.people = people
    world.ties = ties
    world.log = log
    world.tallies = tallies
    world.hearsay = hearsay
    world.told = told
    world.book = book
    world.config = config
    world.sample = sample
    world.nights = nights
    world.campaigns = campaigns
    world.campaign_count = campaign_count
    (world.imitation, world.promotion, world.vouching, world.commitments, world.delivery,
     world.testimony) = streams
    return world


@njit(cache=True)
def set_campaigns(world, campaigns):
    world.campaigns = campaigns


def scalar(struct: Any, name: str) -> Any:
    """A scalar field of a structure, read from Python (rare: tests and read-outs)."""
    return _GETTERS[name](struct)


@njit(cache=True)
def _main_count(index):
    return index.main_count


@njit(cache=True)
def _recent_count(index):
    return index.recent_count


@njit(cache=True)
def _ledger_size(ledger):
    return ledger.size


@njit(cache=True)
def _book_count(book):
    return book.count


_GETTERS = {"main_count": _main_count, "recent_count": _recent_count, "ledger_size": _ledger_size,
            "book_count": _book_count}
