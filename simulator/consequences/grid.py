"""Power-grid consequences of plant and line outages: a DC power flow with minimum-cost
dispatch and load shedding shared fairly, solved as linear programs with HiGHS, and the
unserved energy it implies over a horizon of outages and hourly load, on its own and
above the same grid with nothing out. A solve costs milliseconds and the grid's states
repeat across replications (which plants and lines are out, hour of day), so every
distinct state is solved once per process and cached on a prepared copy of the network;
a warm call of unserved_energy is a few array operations. `hydro_output_mw` gives the
output a hydropower plant can sustain from its head and flow."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import OptimizeResult, linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

#: Value of lost load: the cost the dispatch puts on each MWh of load shed, unless a load
#: gives its own. It is an ordering device, not a valuation: it only has to sit far above
#: every generator's cost so that the optimum sheds load last, and with one value for
#: every load the fairness stage of `dc_dispatch` decides who is shed. (Published values
#: are of the same order: London Economics' 2013 study for Ofgem puts the load-weighted
#: value for British homes and small businesses at GBP 16,940 per MWh, as quoted by
#: Utility Week and Networks; a scenario with sourced values per load can give them.)
DEFAULT_VALUE_OF_LOST_LOAD_PER_MWH = 10_000.0
#: Shedding below a kilowatt is solver noise, not an outage consequence: HiGHS meets
#: constraints to about 1e-7 of their scale, and loads here run to thousands of MW.
SHED_TOLERANCE_MW = 1e-3
#: Room, in MW, left above each fair share fixed by `_fair_shed_caps` (and above the
#: least-cost value of lost load it keeps), so rounding in one LP cannot make the next
#: one infeasible; it bounds how far a reported share can stray from the fair one.
FAIR_SHARE_SLACK_MW = 1e-6
#: A load whose share-of-load constraint has a dual value above this is held at the
#: common share (see `_fair_shed_caps`); smaller duals are read as zero.
BLOCKING_DUAL_TOLERANCE = 1e-9
#: Distinct dispatch states kept per network before the cache starts over.
MAX_CACHED_STATES = 100_000
FLAT_DAILY_PROFILE = (1.0,) * 24
#: Fresh water, kg per m^3, and standard gravity, m/s^2, for `hydro_output_mw`.
WATER_DENSITY_KG_M3 = 1000.0
GRAVITY_M_S2 = 9.81


@dataclass(frozen=True)
class Bus:
    """A node of the network; `region` groups buses for reporting (default: the bus)."""

    name: str
    region: str | None = None


@dataclass(frozen=True)
class Line:
    """A branch with a thermal limit in MW (math.inf for none) and series reactance in p.u."""

    name: str
    from_bus: str
    to_bus: str
    capacity_mw: float
    reactance_pu: float


@dataclass(frozen=True)
class Generator:
    """A dispatchable plant with its capacity and marginal cost per MWh."""

    name: str
    bus: str
    capacity_mw: float
    cost_per_mwh: float


@dataclass(frozen=True)
class Load:
    """Demand at a bus: `peak_mw` times one of 24 hourly multipliers (hour 0 = midnight).
    `value_of_lost_load_per_mwh` (None: the network's) is what shedding a MWh of it costs
    the dispatch, so a load valued higher is shed after the others."""

    bus: str
    peak_mw: float
    daily_profile: tuple[float, ...] = FLAT_DAILY_PROFILE
    value_of_lost_load_per_mwh: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "daily_profile", tuple(float(m) for m in self.daily_profile))


def _names(items: Iterable) -> list[str]:
    return [item.name for item in items]


def _unknown(kind: str, name: str, valid: Sequence[str]) -> ValueError:
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(valid)}"
    return ValueError(f"unknown {kind} {name!r}{hint}")


@dataclass(frozen=True)
class GridNetwork:
    """A transmission network. Sequences are stored as tuples so the network is hashable
    and can key the per-process solution cache."""

    buses: tuple[Bus, ...]
    lines: tuple[Line, ...]
    generators: tuple[Generator, ...]
    loads: tuple[Load, ...]
    base_mva: float = 100.0
    value_of_lost_load_per_mwh: float = DEFAULT_VALUE_OF_LOST_LOAD_PER_MWH

    def __post_init__(self) -> None:
        for attribute in ("buses", "lines", "generators", "loads"):
            object.__setattr__(self, attribute, tuple(getattr(self, attribute)))
        bus_names = _names(self.buses)
        for kind, names in (("bus", bus_names), ("line", _names(self.lines)),
                            ("generator", _names(self.generators))):
            if len(set(names)) != len(names):
                raise ValueError(f"{kind} names must be unique, got {names}")
        known = set(bus_names)
        for line in self.lines:
            for end in (line.from_bus, line.to_bus):
                if end not in known:
                    raise _unknown(f"bus at an end of line {line.name!r}:", end, bus_names)
            if line.from_bus == line.to_bus:
                raise ValueError(f"line {line.name!r} starts and ends at {line.from_bus!r}")
            if not line.reactance_pu > 0.0 or not line.capacity_mw >= 0.0:
                raise ValueError(f"line {line.name!r} needs reactance_pu > 0 and capacity_mw >= 0")
        for load in self.loads:
            if load.bus not in known:
                raise _unknown("bus of a load:", load.bus, bus_names)
            if len(load.daily_profile) != 24 or min(load.daily_profile) < 0.0:
                raise ValueError(f"load at {load.bus!r} needs 24 non-negative hourly multipliers")
            if not load.peak_mw >= 0.0:
                raise ValueError(f"load at {load.bus!r} needs peak_mw >= 0")
            if not 0.0 < self.lost_load_value(load) < math.inf:
                raise ValueError(f"load at {load.bus!r} needs a positive, finite value of lost load")
        cheapest_shed = min((self.lost_load_value(load) for load in self.loads),
                            default=self.value_of_lost_load_per_mwh)
        for generator in self.generators:
            if generator.bus not in known:
                raise _unknown(f"bus of generator {generator.name!r}:", generator.bus, bus_names)
            if not generator.capacity_mw >= 0.0:
                raise ValueError(f"generator {generator.name!r} needs capacity_mw >= 0")
            if not 0.0 <= generator.cost_per_mwh < cheapest_shed:
                raise ValueError(
                    f"generator {generator.name!r} cost must lie in [0, lowest value of lost "
                    f"load {cheapest_shed}) per MWh"
                )

    def lost_load_value(self, load: Load) -> float:
        """What shedding a MWh of `load` costs the dispatch: its own value or the network's."""
        if load.value_of_lost_load_per_mwh is None:
            return self.value_of_lost_load_per_mwh
        return load.value_of_lost_load_per_mwh


@dataclass(frozen=True)
class DispatchResult:
    """One DC dispatch. Tuples follow the network's order of generators, lines, buses and
    loads; flows are positive from `from_bus` to `to_bus`, and zero on lines out of
    service. `shed_mw` is by bus, `shed_mw_by_load` by load."""

    generation_mw: tuple[float, ...]
    flow_mw: tuple[float, ...]
    shed_mw: tuple[float, ...]
    shed_mw_by_load: tuple[float, ...]

    @property
    def total_generation_mw(self) -> float:
        """MW generated in all: the load served, as DC flow is lossless."""
        return sum(self.generation_mw)

    @property
    def total_shed_mw(self) -> float:
        """MW of load shed across all buses."""
        return sum(self.shed_mw)


@dataclass(frozen=True)
class GridOutcome:
    """Unserved energy over a horizon. `served_energy_mwh` is the energy generated (DC
    flow is lossless); `hourly_unserved_mwh[k]` is the energy not served in hour k after
    the start (the mean MW shed, for whole hours); `shedding_h` is how long any load was
    shed; `generation_lost_mw` the most generating capacity out at once. The `added_`
    figures compare with the same network with nothing out over the same hours, the
    shortage the grid has before any attack: the energy shed above it, the most MW shed
    above it at any moment, and how long more load was shed than in it."""

    demand_mwh: float
    served_energy_mwh: float
    unserved_energy_mwh: float
    unserved_energy_mwh_by_bus: dict[str, float]
    unserved_energy_mwh_by_region: dict[str, float]
    peak_shed_mw: float
    shedding_h: float
    generation_lost_mw: float
    added_unserved_energy_mwh: float
    added_peak_shed_mw: float
    added_shedding_h: float
    hourly_unserved_mwh: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class _DispatchProblem:
    """The constraints of one state's dispatch LP over x = (generation, angles, shed by
    load): nodal balance (equality), line limits (inequality) and variable bounds."""

    a_eq: np.ndarray
    b_eq: np.ndarray
    a_ub: np.ndarray | None
    b_ub: np.ndarray | None
    bounds: list[tuple[float | None, float | None]]
    shed_start: int

    def solve(self, cost: np.ndarray, shed_caps_mw: np.ndarray | None = None,
              extra_ub: tuple[np.ndarray, np.ndarray] | None = None,
              extra_bounds: Sequence[tuple[float, float]] = (),
              may_be_infeasible: bool = False) -> OptimizeResult | None:
        """HiGHS on this problem with `cost`, the shed bounded by `shed_caps_mw` if given,
        and optional extra inequality rows and variables (columns appended to the right,
        with `extra_bounds`). None if the caps leave no dispatch and `may_be_infeasible`;
        any other failure raises (a state without caps is always feasible)."""
        bounds = list(self.bounds)
        if shed_caps_mw is not None:
            bounds[self.shed_start:] = [(0.0, cap) for cap in shed_caps_mw.tolist()]
        bounds += list(extra_bounds)
        n_extra = len(extra_bounds)
        a_eq = np.hstack([self.a_eq, np.zeros((self.a_eq.shape[0], n_extra))])
        a_ub, b_ub = self.a_ub, self.b_ub
        if a_ub is not None:
            a_ub = np.hstack([a_ub, np.zeros((a_ub.shape[0], n_extra))])
        if extra_ub is not None:
            a_ub = extra_ub[0] if a_ub is None else np.vstack([a_ub, extra_ub[0]])
            b_ub = extra_ub[1] if b_ub is None else np.concatenate([b_ub, extra_ub[1]])
        solution = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=self.b_eq,
                           bounds=bounds, method="highs")
        if solution.status == 2 and may_be_infeasible:
            return None
        if solution.status != 0:
            raise RuntimeError(f"grid dispatch LP failed: {solution.message}")
        return solution


class PreparedGrid:
    """Index maps, matrices and the cache of solved states of one network.

    Build it once (`prepare` of the engine does, per scenario) and pass it wherever a
    `GridNetwork` is accepted, so each distinct state is solved once and no call has to
    hash the network to find its cache.
    """

    def __init__(self, network: GridNetwork) -> None:
        buses = network.buses
        self.bus_names = tuple(_names(buses))
        self.line_names = tuple(_names(network.lines))
        self.generator_names = tuple(_names(network.generators))
        bus_index = {name: i for i, name in enumerate(self.bus_names)}
        self.line_index = {name: i for i, name in enumerate(self.line_names)}
        self.generator_index = {name: i for i, name in enumerate(self.generator_names)}
        self.all_generators = frozenset(self.generator_names)
        n_bus, n_line, n_load = len(buses), len(network.lines), len(network.loads)

        self.from_index = np.array([bus_index[line.from_bus] for line in network.lines], int)
        self.to_index = np.array([bus_index[line.to_bus] for line in network.lines], int)
        self.incidence = np.zeros((n_line, n_bus))
        self.incidence[np.arange(n_line), self.from_index] = 1.0
        self.incidence[np.arange(n_line), self.to_index] = -1.0
        # MW per radian of angle difference across each line.
        self.susceptance_mw = np.array(
            [network.base_mva / line.reactance_pu for line in network.lines]
        )
        self.line_capacity_mw = np.array([line.capacity_mw for line in network.lines])
        self.generator_bus = np.zeros((n_bus, len(network.generators)))
        for g, generator in enumerate(network.generators):
            self.generator_bus[bus_index[generator.bus], g] = 1.0
        self.generator_capacity_mw = np.array([g.capacity_mw for g in network.generators])
        self.load_bus = np.zeros((n_bus, n_load))
        for k, load in enumerate(network.loads):
            self.load_bus[bus_index[load.bus], k] = 1.0
        self.lost_load_value = np.array([network.lost_load_value(load)
                                         for load in network.loads])
        self.cost = np.concatenate([
            [g.cost_per_mwh for g in network.generators], np.zeros(n_bus),
            self.lost_load_value,
        ])

        self.hourly_load_mw = np.zeros((24, n_load))
        for k, load in enumerate(network.loads):
            self.hourly_load_mw[:, k] = load.peak_mw * np.asarray(load.daily_profile, float)
        self.hourly_load_tuples = tuple(tuple(row) for row in self.hourly_load_mw.tolist())
        self.hourly_demand_mw = self.hourly_load_mw.sum(axis=1)
        regions = [bus.region or bus.name for bus in buses]
        self.region_names = tuple(dict.fromkeys(regions))
        self.bus_region = np.array([self.region_names.index(r) for r in regions], int)

        self._dispatches: dict[tuple, DispatchResult] = {}
        self._hourly_tables: dict[tuple, np.ndarray] = {}

    def dispatch(
        self, available: frozenset[str], lines_out: frozenset[str], load_mw: tuple[float, ...]
    ) -> DispatchResult:
        """The fair least-cost dispatch of one state (plants available, lines out, MW of
        each load), solved the first time it is asked for and cached after that."""
        key = (available, lines_out, load_mw)
        result = self._dispatches.get(key)
        if result is None:
            if len(self._dispatches) >= MAX_CACHED_STATES:
                self._dispatches.clear()
            result = self._dispatches[key] = self._solve(available, lines_out, load_mw)
        return result

    def hourly_table(self, available: frozenset[str], lines_out: frozenset[str]) -> np.ndarray:
        """The (24, n_bus + 1) table of one state: MW shed at each bus, then total
        generation, by hour of day. Rows stay NaN until fill_hour solves them."""
        key = (available, lines_out)
        table = self._hourly_tables.get(key)
        if table is None:
            if len(self._hourly_tables) >= MAX_CACHED_STATES:
                self._hourly_tables.clear()
            table = self._hourly_tables[key] = np.full((24, len(self.bus_names) + 1), np.nan)
        return table

    def fill_hour(
        self, available: frozenset[str], lines_out: frozenset[str], hour_of_day: int
    ) -> None:
        """Solve one hour of day of a state at that hour's load and write its row of
        `hourly_table`."""
        result = self.dispatch(available, lines_out, self.hourly_load_tuples[hour_of_day])
        self.hourly_table(available, lines_out)[hour_of_day] = (
            *result.shed_mw, result.total_generation_mw
        )

    def hourly_rows(self, states: Sequence[tuple[frozenset[str], frozenset[str]]],
                    period: np.ndarray, hour_of_day: np.ndarray) -> np.ndarray:
        """Row (shed by bus, generation) of `states[period[i]]` at `hour_of_day[i]` for
        every i, solving the (state, hour) pairs not solved before."""
        tables = [self.hourly_table(*state) for state in states]
        rows = np.stack(tables)[period, hour_of_day]
        unsolved = np.isnan(rows[:, 0])
        if unsolved.any():
            for p, h in set(zip(period[unsolved].tolist(), hour_of_day[unsolved].tolist(),
                                strict=True)):
                self.fill_hour(*states[p], h)
            rows = np.stack(tables)[period, hour_of_day]
        return rows

    def _problem(self, available: frozenset[str], lines_out: frozenset[str],
                 load: np.ndarray) -> tuple[_DispatchProblem, np.ndarray, np.ndarray]:
        """The LP constraints of one state, with the lines in service and their MW per
        radian of angle (to recover flows from the angles)."""
        n_bus = len(self.bus_names)
        n_gen = len(self.generator_names)
        in_service = np.ones(len(self.line_names), bool)
        for name in lines_out:
            in_service[self.line_index[name]] = False
        incidence = self.incidence[in_service]
        susceptance = self.susceptance_mw[in_service]
        # B-theta: bus injection = B theta, with B = A^T diag(b) A over lines in service.
        flow_per_angle = susceptance[:, None] * incidence
        b_matrix = incidence.T @ flow_per_angle

        # One reference angle per island; an island without generation sheds its load.
        adjacency = csr_matrix(
            (np.ones(in_service.sum()), (self.from_index[in_service], self.to_index[in_service])),
            shape=(n_bus, n_bus),
        )
        _, island = connected_components(adjacency, directed=False)
        _, reference = np.unique(island, return_index=True)
        angle_bounds: list[tuple[float | None, float | None]] = [(None, None)] * n_bus
        for bus in reference:
            angle_bounds[bus] = (0.0, 0.0)
        generation_bounds = [
            (0.0, capacity if name in available else 0.0)
            for name, capacity in zip(self.generator_names, self.generator_capacity_mw,
                                      strict=True)
        ]
        shed_bounds = [(0.0, demand) for demand in load.tolist()]

        limited = np.isfinite(self.line_capacity_mw[in_service])
        rows = np.hstack([
            np.zeros((limited.sum(), n_gen)), flow_per_angle[limited],
            np.zeros((limited.sum(), load.size)),
        ])
        capacity = self.line_capacity_mw[in_service][limited]
        problem = _DispatchProblem(
            a_eq=np.hstack([self.generator_bus, -b_matrix, self.load_bus]),
            b_eq=self.load_bus @ load,
            a_ub=np.vstack([rows, -rows]) if limited.any() else None,
            b_ub=np.concatenate([capacity, capacity]) if limited.any() else None,
            bounds=generation_bounds + angle_bounds + shed_bounds,
            shed_start=n_gen + n_bus,
        )
        return problem, in_service, flow_per_angle

    def _solve(
        self, available: frozenset[str], lines_out: frozenset[str], load_mw: tuple[float, ...]
    ) -> DispatchResult:
        n_gen, n_bus = len(self.generator_names), len(self.bus_names)
        load = np.asarray(load_mw, float)
        problem, in_service, flow_per_angle = self._problem(available, lines_out, load)
        x = _fair_dispatch(problem, self.cost, load, self.lost_load_value)
        generation = x[:n_gen]
        angle = x[n_gen:n_gen + n_bus]
        shed = np.clip(x[problem.shed_start:], 0.0, load)
        flow = np.zeros(len(self.line_names))
        flow[in_service] = flow_per_angle @ angle
        return DispatchResult(tuple(generation.tolist()), tuple(flow.tolist()),
                              tuple((self.load_bus @ shed).tolist()), tuple(shed.tolist()))


def _fair_dispatch(problem: _DispatchProblem, cost: np.ndarray, load_mw: np.ndarray,
                   lost_load_value: np.ndarray) -> np.ndarray:
    """The least-cost solution x of `problem` that sheds no more value of lost load than
    needed, with the shed shared max-min fairly (see `_fair_shed_caps`).

    Most states need two LPs: the least-cost one, then the least-cost one with every load
    capped at the same share u = (value shed) / (value of all load), which is the fair
    answer whenever the network can deliver it (no share can be lower than u for all
    loads at once without shedding less value than the least). Only when it cannot do the
    max-min rounds run. Should rounding make a later LP infeasible (it can with line
    limits of 1e-30 MW), the last solution found stands: fair but perhaps not least-cost,
    or least-cost but not fair.
    """
    least_cost = problem.solve(cost).x
    shed = least_cost[problem.shed_start:]
    served = load_mw > SHED_TOLERANCE_MW
    if shed.sum() <= SHED_TOLERANCE_MW or served.sum() <= 1:
        return least_cost
    share = shed[served] / load_mw[served]
    if share.max() - share.min() <= 1e-9:
        return least_cost
    common_share = float(lost_load_value @ shed) / float(lost_load_value @ load_mw)
    caps = np.minimum(load_mw, common_share * load_mw + FAIR_SHARE_SLACK_MW)
    fair = problem.solve(cost, shed_caps_mw=caps, may_be_infeasible=True)
    if fair is not None:
        return fair.x
    caps, last_round = _fair_shed_caps(problem, load_mw, lost_load_value, shed)
    fair = problem.solve(cost, shed_caps_mw=caps, may_be_infeasible=True)
    if fair is not None:
        return fair.x
    return last_round if last_round is not None else least_cost


def _fair_shed_caps(problem: _DispatchProblem, load_mw: np.ndarray,
                    lost_load_value: np.ndarray, least_cost_shed_mw: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """The most MW each load may shed so that, among dispatches that shed no more value of
    lost load than the least-cost one, the shares of load shed are max-min fair: the
    largest share is as small as the network allows, then the largest of the rest, and
    so on (lexicographic min-max).

    Source: max-min fairness over a convex set by a sequence of LPs that find the blocked
    demands from the optimal dual variables, Nace and Pioro, "Max-min fairness and its
    applications to routing and load-balancing in communication networks: a tutorial",
    IEEE Communications Surveys & Tutorials 10(4):5-17 (2008), doi:10.1109/SURV.2008.080403
    (its resolution algorithms for convex MMF problems). Each round solves
    min t subject to shed_l / load_l <= t for the loads not yet fixed; a load whose
    constraint has a positive dual value is at t in every optimum (complementary
    slackness), so it is fixed at share t; the duals sum to one, so every round fixes at
    least one load. Fairness in load shedding as an objective after total shedding:
    Sundar, Deka and Bent, "Fairly extreme: minimizing outages equitably" (LANL,
    arXiv:2310.01348, 2023). Returns the caps and the last round's solution (None if no
    round solved).
    """
    n_vars = len(problem.bounds)
    shed = slice(problem.shed_start, n_vars)
    # Keep the value of lost load shed at its least-cost optimum (scaled to MW).
    scale = lost_load_value.max()
    budget = np.zeros(n_vars + 1)
    budget[shed] = lost_load_value / scale
    budget_mw = float(lost_load_value @ least_cost_shed_mw) / scale
    budget_mw += 1e-9 * budget_mw + FAIR_SHARE_SLACK_MW
    caps = np.where(load_mw > SHED_TOLERANCE_MW, load_mw, 0.0)
    free = caps > 0.0
    minimise_share = np.zeros(n_vars + 1)
    minimise_share[-1] = 1.0
    last_round = None
    while free.any():
        loads = np.flatnonzero(free)
        share_rows = np.zeros((loads.size, n_vars + 1))
        share_rows[np.arange(loads.size), problem.shed_start + loads] = 1.0 / load_mw[loads]
        share_rows[:, -1] = -1.0
        solution = problem.solve(
            minimise_share, shed_caps_mw=caps,
            extra_ub=(np.vstack([budget, share_rows]),
                      np.concatenate([[budget_mw], np.zeros(loads.size)])),
            extra_bounds=[(0.0, 1.0)], may_be_infeasible=True,
        )
        if solution is None:  # rounding in the caps fixed so far; keep them
            break
        last_round = solution.x[:n_vars]
        share = float(solution.x[-1])
        blocking = -solution.ineqlin.marginals[-loads.size:] > BLOCKING_DUAL_TOLERANCE
        if share * load_mw[loads].max() <= SHED_TOLERANCE_MW or not blocking.any():
            blocking[:] = True  # nothing left to shed, or no dual to tell: fix them all
        fixed = loads[blocking]
        caps[fixed] = np.minimum(load_mw[fixed], share * load_mw[fixed] + FAIR_SHARE_SLACK_MW)
        free[fixed] = False
    return caps, last_round


def hydro_output_mw(flow_m3s: float, head_m: float, efficiency: float) -> float:
    """Electric output of a hydropower plant passing `flow_m3s` through its turbines under
    `head_m` of net head, at overall (turbine and generator) `efficiency`.

    Source: P = mu rho q g h, Engineering ToolBox, "Hydropower" (engineeringtoolbox.com,
    equations 1 and 2): a flow of 1 m^3/s falling 100 m carries 981 kW, and practical
    efficiencies lie between 0.75 and 0.95.
    """
    if not (flow_m3s >= 0.0 and head_m >= 0.0 and 0.0 < efficiency <= 1.0):
        raise ValueError(
            f"hydro output needs flow >= 0, head >= 0 and 0 < efficiency <= 1, got "
            f"{flow_m3s!r} m^3/s, {head_m!r} m, {efficiency!r}"
        )
    return efficiency * WATER_DENSITY_KG_M3 * GRAVITY_M_S2 * flow_m3s * head_m / 1e6
@lru_cache(maxsize=16)
def _prepared_by_value(network: GridNetwork) -> PreparedGrid:
    """A convenience for callers that pass the network itself (tests, one-off checks):
    equal networks share one prepared copy."""
    return PreparedGrid(network)


def _prepared(network: GridNetwork | PreparedGrid) -> PreparedGrid:
    return network if isinstance(network, PreparedGrid) else _prepared_by_value(network)


def dc_dispatch(
    network: GridNetwork | PreparedGrid,
    available_generators: Iterable[str],
    lines_out: Iterable[str],
    load_mw: Sequence[float],
) -> DispatchResult:
    """Minimum-cost DC dispatch with line limits and load shed fairly where it must be.

    Source: the DC power flow (B-theta) approximation, lossless lines, flat voltage
    magnitudes and small angle differences, so a line carries base_mva * (theta_from -
    theta_to) / x MW; see Stott, Jardim and Alsac, "DC power flow revisited", IEEE Trans.
    Power Systems 24(3):1290-1300 (2009), and Wood and Wollenberg, "Power Generation,
    Operation and Control", chapter on DC power flow. A first linear program minimises
    generation cost plus each load's value of lost load times its MW shed, subject to the
    nodal balance generation - B theta + shed = load, |flow| <= capacity, 0 <= generation
    <= capacity (zero for generators not in `available_generators`) and 0 <= shed <=
    load. When it sheds, the shares of load shed are then made max-min fair among the
    dispatches that shed no more value (see `_fair_shed_caps` for the source), so equal
    loads behind the same constraint lose the same share instead of whatever the solver
    happened to pick, and a last LP finds the least-cost dispatch that sheds just that.
    Lines cut by `lines_out` can split the network into islands; each balances alone
    with its own reference angle, and one without generation sheds all its load. The LP
    is always feasible (shed everything). `load_mw` gives the MW of each of
    `network.loads`, in order. Results are cached per process on (available generators,
    lines out, loads).
    """
    prepared = _prepared(network)
    available = frozenset(available_generators)
    out = frozenset(lines_out)
    if unknown := sorted(available - prepared.all_generators):
        raise _unknown("generator", unknown[0], prepared.generator_names)
    if unknown := sorted(out - prepared.line_index.keys()):
        raise _unknown("line", unknown[0], prepared.line_names)
    load = tuple(float(value) for value in load_mw)
    n_load = prepared.load_bus.shape[1]
    if len(load) != n_load or min(load, default=0.0) < 0.0:
        raise ValueError(f"load_mw needs {n_load} non-negative values, one per load")
    return prepared.dispatch(available, out, load)


def unserved_energy(
    network: GridNetwork | PreparedGrid,
    outages: Sequence[tuple[float, float, str, str]],
    horizon_h: float,
    start_hour_of_day: int = 0,
) -> GridOutcome:
    """Energy not served over [0, horizon_h) hours given outages of generators and lines,
    on its own and above the same network with nothing out.

    Each outage is (start_h, end_h, kind, name) with kind "generator" or "line", active
    on [start_h, end_h) hours after the horizon starts (end_h may be math.inf). The
    horizon is cut wherever an outage starts or ends and at every hour, since load
    follows each Load's hourly profile from `start_hour_of_day` (0-23) on; each piece is
    one dc_dispatch (see there for the source) at a known state and hour of day, solved
    once per process and reused, and so is the same hour with nothing out, which the
    `added_` figures subtract. Served plus unserved energy equals demand.
    """
    prepared = _prepared(network)
    if not (horizon_h > 0.0 and math.isfinite(horizon_h)):
        raise ValueError(f"horizon_h must be positive and finite, got {horizon_h!r}")
    if start_hour_of_day not in range(24):
        raise ValueError(f"start_hour_of_day must be an integer 0-23, got {start_hour_of_day!r}")
    windows = []
    for start_h, end_h, kind, name in outages:
        if kind == "generator":
            if name not in prepared.generator_index:
                raise _unknown("generator", name, prepared.generator_names)
        elif kind == "line":
            if name not in prepared.line_index:
                raise _unknown("line", name, prepared.line_names)
        else:
            raise ValueError(f"outage kind must be 'generator' or 'line', got {kind!r}")
        if not end_h >= start_h:
            raise ValueError(f"outage of {name!r} ends ({end_h}) before it starts ({start_h})")
        start_h, end_h = max(start_h, 0.0), min(end_h, horizon_h)
        if start_h < end_h:
            windows.append((start_h, end_h, kind, name))

    # Pieces of the horizon: cut at every hour and wherever an outage starts or ends.
    cuts = sorted({0.0, float(horizon_h)} | {t for w in windows for t in w[:2]})
    n_hours = math.ceil(horizon_h)
    edges = np.union1d(np.arange(n_hours, dtype=float), cuts)
    duration_h = np.diff(edges)
    hour = edges[:-1].astype(np.intp)
    hour_of_day = (start_hour_of_day + hour) % 24
    period = np.searchsorted(cuts, edges[:-1], side="right") - 1

    states = []
    generation_lost_mw = 0.0
    for period_start in cuts[:-1]:
        active = [w for w in windows if w[0] <= period_start < w[1]]
        generators_out = {name for _, _, kind, name in active if kind == "generator"}
        lines_out = frozenset(name for _, _, kind, name in active if kind == "line")
        generation_lost_mw = max(generation_lost_mw, sum(
            float(prepared.generator_capacity_mw[prepared.generator_index[name]])
            for name in generators_out
        ))
        states.append((prepared.all_generators - generators_out, lines_out))
    # The same pieces with nothing out, looked up with them: the last state.
    states.append((prepared.all_generators, frozenset()))
    n_pieces = period.size
    both = prepared.hourly_rows(states, np.concatenate([period, np.full(n_pieces, len(cuts) - 1)]),
                                np.concatenate([hour_of_day, hour_of_day]))
    rows, nothing_out = both[:n_pieces], both[n_pieces:]

    shed_mw = rows[:, :-1]
    total_shed_mw = shed_mw.sum(axis=1)
    added_shed_mw = total_shed_mw - nothing_out[:, :-1].sum(axis=1)
    by_bus = duration_h @ shed_mw
    unserved_mwh = float(by_bus.sum())
    demand_mwh = float(duration_h @ prepared.hourly_demand_mw[hour_of_day])
    by_region = np.bincount(prepared.bus_region, by_bus, len(prepared.region_names))
    return GridOutcome(
        demand_mwh=demand_mwh,
        served_energy_mwh=float(duration_h @ rows[:, -1]),
        unserved_energy_mwh=unserved_mwh,
        unserved_energy_mwh_by_bus=dict(zip(prepared.bus_names, by_bus.tolist(), strict=True)),
        unserved_energy_mwh_by_region=dict(
            zip(prepared.region_names, by_region.tolist(), strict=True)
        ),
        peak_shed_mw=float(total_shed_mw.max()),
        shedding_h=float(duration_h[total_shed_mw > SHED_TOLERANCE_MW].sum()),
        generation_lost_mw=generation_lost_mw,
        added_unserved_energy_mwh=float(duration_h @ added_shed_mw),
        added_peak_shed_mw=max(float(added_shed_mw.max()), 0.0)
        if added_shed_mw.max() > SHED_TOLERANCE_MW else 0.0,
        added_shedding_h=float(duration_h[added_shed_mw > SHED_TOLERANCE_MW].sum()),
        hourly_unserved_mwh=np.bincount(hour, duration_h * total_shed_mw, n_hours),
    )
