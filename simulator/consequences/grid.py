"""Power-grid consequences of plant and line outages: a DC power flow with minimum-cost
dispatch and load shedding, solved as a linear program with HiGHS, and the unserved
energy it implies over a horizon of outages and hourly load. A solve costs milliseconds
and the grid's states repeat across replications (which plants and lines are out, hour
of day), so every distinct state is solved once per process and cached on a prepared
copy of the network; a warm call of unserved_energy is a few array operations."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

#: Value of lost load: the cost the dispatch puts on each MWh of load shed. It only has to
#: sit far above every generator's cost so that the optimum sheds load last.
DEFAULT_VALUE_OF_LOST_LOAD_PER_MWH = 10_000.0
#: Shedding below this many MW is solver noise, not an outage consequence.
SHED_TOLERANCE_MW = 1e-6
#: Distinct dispatch states kept per network before the cache starts over.
MAX_CACHED_STATES = 100_000
FLAT_DAILY_PROFILE = (1.0,) * 24


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
    """Demand at a bus: `peak_mw` times one of 24 hourly multipliers (hour 0 = midnight)."""

    bus: str
    peak_mw: float
    daily_profile: tuple[float, ...] = FLAT_DAILY_PROFILE

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
        for generator in self.generators:
            if generator.bus not in known:
                raise _unknown(f"bus of generator {generator.name!r}:", generator.bus, bus_names)
            if not generator.capacity_mw >= 0.0:
                raise ValueError(f"generator {generator.name!r} needs capacity_mw >= 0")
            if not 0.0 <= generator.cost_per_mwh < self.value_of_lost_load_per_mwh:
                raise ValueError(
                    f"generator {generator.name!r} cost must lie in [0, value of lost load "
                    f"{self.value_of_lost_load_per_mwh}) per MWh"
                )
        for load in self.loads:
            if load.bus not in known:
                raise _unknown("bus of a load:", load.bus, bus_names)
            if len(load.daily_profile) != 24 or min(load.daily_profile) < 0.0:
                raise ValueError(f"load at {load.bus!r} needs 24 non-negative hourly multipliers")
            if not load.peak_mw >= 0.0:
                raise ValueError(f"load at {load.bus!r} needs peak_mw >= 0")


@dataclass(frozen=True)
class DispatchResult:
    """One DC dispatch. Tuples follow the network's order of generators, lines and buses;
    flows are positive from `from_bus` to `to_bus`, and zero on lines out of service."""

    generation_mw: tuple[float, ...]
    flow_mw: tuple[float, ...]
    shed_mw: tuple[float, ...]

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
    shed; `generation_lost_mw` the most generating capacity out at once."""

    demand_mwh: float
    served_energy_mwh: float
    unserved_energy_mwh: float
    unserved_energy_mwh_by_bus: dict[str, float]
    unserved_energy_mwh_by_region: dict[str, float]
    peak_shed_mw: float
    shedding_h: float
    generation_lost_mw: float
    hourly_unserved_mwh: np.ndarray = field(repr=False, compare=False)


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
        n_bus, n_line = len(buses), len(network.lines)

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
        self.cost = np.concatenate([
            [g.cost_per_mwh for g in network.generators],
            np.zeros(n_bus),
            np.full(n_bus, network.value_of_lost_load_per_mwh),
        ])

        self.hourly_load_mw = np.zeros((24, n_bus))
        for load in network.loads:
            self.hourly_load_mw[:, bus_index[load.bus]] += load.peak_mw * np.asarray(
                load.daily_profile, float
            )
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
        """The least-cost dispatch of one state (plants available, lines out, MW of load
        at each bus), solved the first time it is asked for and cached after that."""
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

    def _solve(
        self, available: frozenset[str], lines_out: frozenset[str], load_mw: tuple[float, ...]
    ) -> DispatchResult:
        n_bus, n_gen = len(self.bus_names), len(self.generator_names)
        load = np.asarray(load_mw, float)
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
        angle_bounds = [(None, None)] * n_bus
        for bus in reference:
            angle_bounds[bus] = (0.0, 0.0)
        generation_bounds = [
            (0.0, capacity if name in available else 0.0)
            for name, capacity in zip(self.generator_names, self.generator_capacity_mw,
                                      strict=True)
        ]
        shed_bounds = [(0.0, demand) for demand in load]

        equality = np.hstack([self.generator_bus, -b_matrix, np.eye(n_bus)])
        limited = np.isfinite(self.line_capacity_mw[in_service])
        rows = np.hstack([
            np.zeros((limited.sum(), n_gen)), flow_per_angle[limited],
            np.zeros((limited.sum(), n_bus)),
        ])
        capacity = self.line_capacity_mw[in_service][limited]
        solution = linprog(
            self.cost,
            A_ub=np.vstack([rows, -rows]) if limited.any() else None,
            b_ub=np.concatenate([capacity, capacity]) if limited.any() else None,
            A_eq=equality,
            b_eq=load,
            bounds=generation_bounds + angle_bounds + shed_bounds,
            method="highs",
        )
        if solution.status != 0:
            raise RuntimeError(f"grid dispatch LP failed: {solution.message}")
        generation = solution.x[:n_gen]
        angle = solution.x[n_gen:n_gen + n_bus]
        shed = np.clip(solution.x[n_gen + n_bus:], 0.0, load)
        flow = np.zeros(len(self.line_names))
        flow[in_service] = flow_per_angle @ angle
        return DispatchResult(tuple(generation.tolist()), tuple(flow.tolist()),
                              tuple(shed.tolist()))


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
    load_mw_by_bus: Sequence[float],
) -> DispatchResult:
    """Minimum-cost DC dispatch with line limits and load shedding at the value of lost load.

    Source: the DC power flow (B-theta) approximation, lossless lines, flat voltage
    magnitudes and small angle differences, so a line carries base_mva * (theta_from -
    theta_to) / x MW; see Stott, Jardim and Alsac, "DC power flow revisited", IEEE Trans.
    Power Systems 24(3):1290-1300 (2009), and Wood and Wollenberg, "Power Generation,
    Operation and Control", chapter on DC power flow. The linear program minimises
    generation cost plus value of lost load times load shed, subject to the nodal balance
    generation - B theta + shed = load, |flow| <= capacity, 0 <= generation <= capacity
    (zero for generators not in `available_generators`) and 0 <= shed <= load. Lines
    cut by `lines_out` can split the network into islands; each balances alone with its
    own reference angle, and one without generation sheds all its load. The LP is always
    feasible (shed everything). `load_mw_by_bus` follows `network.buses`. Results are
    cached per process on (available generators, lines out, loads).
    """
    prepared = _prepared(network)
    available = frozenset(available_generators)
    out = frozenset(lines_out)
    if unknown := sorted(available - prepared.all_generators):
        raise _unknown("generator", unknown[0], prepared.generator_names)
    if unknown := sorted(out - prepared.line_index.keys()):
        raise _unknown("line", unknown[0], prepared.line_names)
    load = tuple(float(value) for value in load_mw_by_bus)
    if len(load) != len(prepared.bus_names) or min(load, default=0.0) < 0.0:
        raise ValueError(
            f"load_mw_by_bus needs {len(prepared.bus_names)} non-negative values, one per bus"
        )
    return prepared.dispatch(available, out, load)


def unserved_energy(
    network: GridNetwork | PreparedGrid,
    outages: Sequence[tuple[float, float, str, str]],
    horizon_h: float,
    start_hour_of_day: int = 0,
) -> GridOutcome:
    """Energy not served over [0, horizon_h) hours given outages of generators and lines.

    Each outage is (start_h, end_h, kind, name) with kind "generator" or "line", active
    on [start_h, end_h) hours after the horizon starts (end_h may be math.inf). The
    horizon is cut wherever an outage starts or ends and at every hour, since load
    follows each Load's hourly profile from `start_hour_of_day` (0-23) on; each piece is
    one dc_dispatch (see there for the source) at a known state and hour of day, solved
    once per process and reused. Served plus unserved energy equals demand.
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

    states, tables = [], []
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
        tables.append(prepared.hourly_table(*states[-1]))
    rows = np.stack(tables)[period, hour_of_day]
    unsolved = np.isnan(rows[:, 0])
    if unsolved.any():
        for p, h in set(zip(period[unsolved].tolist(), hour_of_day[unsolved].tolist(),
                            strict=True)):
            prepared.fill_hour(*states[p], h)
        rows = np.stack(tables)[period, hour_of_day]

    shed_mw = rows[:, :-1]
    total_shed_mw = shed_mw.sum(axis=1)
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
        hourly_unserved_mwh=np.bincount(hour, duration_h * total_shed_mw, n_hours),
    )
