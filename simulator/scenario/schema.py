"""The scenario language as frozen pydantic models.

Each YAML section maps to one model below. YAML keys are short and unit-free
(``height: 57 m``); the Python attribute behind each key carries its SI unit in its name
(``height_m``), because after loading every quantity is an SI float and the name is the
only place left to say what the number means. Collections of named things (nodes,
roads, forces, towns, grid elements) are mappings keyed by an id, so that `extends` and
`variants` can override one element's field by deep merge without repeating a list.

Field-level checks (units, ranges, distribution parameters) live here; checks that
need the whole scenario (a road names an existing node, a route is connected) live in
`checks.py`, so that every problem of a file can be reported at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .distributions import DISTRIBUTIONS, Distribution, fixed, parse_distribution, support
from .errors import shown
from .units import DIMENSIONLESS, DIMENSIONS, checked_magnitude

# ----------------------------------------------------------------------------- fields


def _to_si(value: Any, dimension: str) -> float:
    from .units import to_si  # pint loads only when a file is actually parsed

    return to_si(value, dimension)


def _bounds_text(ge: float | None, gt: float | None, le: float | None) -> str:
    parts = []
    if ge is not None:
        parts.append(f">= {ge:g}")
    if gt is not None:
        parts.append(f"> {gt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return " and ".join(parts)


def _check_bounds(
    low: float,
    high: float,
    ge: float | None,
    gt: float | None,
    le: float | None,
    what: str,
    given: Any,
) -> None:
    bad = (
        (ge is not None and low < ge)
        or (gt is not None and low <= gt)
        or (le is not None and high > le)
    )
    if bad:
        if low == high:
            found = shown(given) if isinstance(given, str) else f"{low:g}"
        else:
            found = f"values from {low:g} to {high:g} (SI units)"
        raise ValueError(f"{what} must be {_bounds_text(ge, gt, le)}, found {found}")


def _quantity_schema(dimension: str) -> dict[str, Any]:
    example = DIMENSIONS[dimension].example.strip("'")
    if dimension == DIMENSIONLESS:
        return {"type": "number"}
    return {
        "type": "string",
        "description": f"a {dimension} with units, for example '{example}'",
        "examples": [example],
    }


_DISTRIBUTION_SCHEMA = {
    "type": "object",
    "required": ["dist"],
    "properties": {"dist": {"enum": sorted(DISTRIBUTIONS)}},
    "description": "a distribution: {dist: triangular, low: .., mode: .., high: ..}, ...",
}


def Quantity(
    dimension: str, *, ge: float | None = None, gt: float | None = None, le: float | None = None
) -> Any:
    """A single value with units, stored as an SI float (no distribution allowed)."""

    def parse(value: Any) -> float:
        if isinstance(value, Mapping):
            raise ValueError("this field takes one value, not a distribution")
        number = _to_si(value, dimension)
        _check_bounds(number, number, ge, gt, le, "value", value)
        return number

    return Annotated[float, BeforeValidator(parse), WithJsonSchema(_quantity_schema(dimension))]


def _check_mean(dist: Distribution, dimension: str) -> None:
    """Refuse a distribution whose mean the field's quantity cannot have: its parameters
    are checked one by one, but a lognormal's log-space ``mu`` and ``sigma`` are not SI
    values and can put it beyond any meaningful size."""
    found = f"the mean of this {dist.kind} distribution, {dist.mean:g} (SI units),"
    checked_magnitude(dist.mean, dimension, found)


def Uncertain(
    dimension: str, *, ge: float | None = None, gt: float | None = None, le: float | None = None
) -> Any:
    """A value with units that may also be a distribution; stored as a `Distribution`.

    Bounds are checked against the distribution's whole support, so a travel time
    written as a normal distribution (which can go negative) is refused with a hint.
    """

    def parse(value: Any) -> Distribution:
        if isinstance(value, Distribution):
            return value
        if isinstance(value, Mapping):
            if "dist" not in value:
                raise ValueError(
                    "a distribution needs a 'dist' key, e.g. {dist: triangular, low: .., "
                    "mode: .., high: ..}"
                )
            if value.get("dist") == "bernoulli" and dimension != DIMENSIONLESS:
                raise ValueError("bernoulli gives 0 or 1 and fits only plain-number fields")
            dist = parse_distribution(value, lambda v: _to_si(v, dimension))
        else:
            dist = fixed(_to_si(value, dimension))
        low, high = support(dist)
        what = "value" if dist.is_fixed else f"every value of this {dist.kind} distribution"
        if not dist.is_fixed and math.isinf(low) and (ge is not None or gt is not None):
            raise ValueError(
                f"a {dist.kind} distribution can draw negative values but this field must be "
                f"{_bounds_text(ge, gt, None)}; use truncnormal, lognormal or triangular"
            )
        _check_bounds(low, high, ge, gt, le, what, value)
        _check_mean(dist, dimension)
        return dist

    return Annotated[
        Distribution,
        BeforeValidator(parse),
        WithJsonSchema({"anyOf": [_quantity_schema(dimension), _DISTRIBUTION_SCHEMA]}),
    ]


Duration = Uncertain("time", ge=0)
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
"""A plain number field: NaN and infinities are refused like any other bad value."""
Probability = Annotated[FiniteFloat, Field(ge=0.0, le=1.0)]
MAX_POPULATION = 10_000_000_000  # more people than live on Earth
# The grid model's cost of a MWh not served; a plant must cost less, or shedding load
# would be cheaper than running it (simulator.consequences.grid, not imported: scipy).
VALUE_OF_LOST_LOAD_PER_MWH = 10_000.0
_DAY_S = 86_400.0
MAX_HORIZON_S = 365 * _DAY_S  # a replication's grid bookkeeping runs hour by hour
Id = Annotated[str, Field(min_length=1, max_length=80)]


class Section(BaseModel):
    """Base of every scenario model: frozen, strict about unknown keys."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True
    )


# -------------------------------------------------------------------------- sections


class Uncertainty(Section):
    """Which inputs are knowledge (fixed facts we lack) and which chance (varying each
    time history plays out), where a scenario departs from the defaults of
    `simulator.scenario.layers.DEFAULTS`. Each entry is an input path
    (``forces.dam_garrison.strength``), a component (``forces.dam_garrison``) or a glob
    (``river.reaches.*``)."""

    knowledge: list[str] = Field(
        default=[], description="inputs fixed but unknown: sampled in the outer "
        "(knowledge) loop of `infrasim run --knowledge` and by `infrasim sensitivity`")
    chance: list[str] = Field(
        default=[], description="inputs that vary each time history plays out: drawn in "
        "every replication")


class ScenarioInfo(Section):
    """What the scenario is and how it runs by default."""

    name: str = Field(min_length=1)
    description: str = ""
    start: datetime = Field(
        description="local start time, ISO 8601, e.g. 2014-06-21T06:00:00+03:00"
    )
    horizon_s: Quantity("time", gt=0) = Field(alias="horizon")
    seed: int = Field(default=0, ge=0, lt=2**63)
    replications: int = Field(default=1000, ge=1, le=10_000_000)
    headline: list[Id] | None = Field(
        default=None, min_length=1, max_length=12,
        description="outcome ids summaries and reports show first (default: capture, "
        "breach, fatalities, added unserved energy, time to capture); checked against "
        "the outcome catalogue",
    )
    uncertainty: Uncertainty | None = Field(
        default=None, description="move inputs between the knowledge and chance layers "
        "(defaults: strengths, effectiveness, breach geometry, river sections, reservoir "
        "volume are knowledge; departures, halts, speeds, delays, whether and when a "
        "failure mode happens are chance; `infrasim schema` lists the table)")

    @field_validator("horizon_s")
    @classmethod
    def _at_most_a_year(cls, horizon_s: float) -> float:
        if horizon_s > MAX_HORIZON_S:
            raise ValueError(
                f"the horizon can be at most {MAX_HORIZON_S / _DAY_S:g} days, "
                f"found {horizon_s / _DAY_S:g} days"
            )
        return horizon_s


class Node(Section):
    """A place on the road network: a town, the dam, a border crossing, a junction."""

    name: str | None = None
    kind: Literal["town", "city", "dam", "border", "junction", "base", "checkpoint"]
    lat: FiniteFloat = Field(ge=-90, le=90)
    lon: FiniteFloat = Field(ge=-180, le=180)
    population: int = Field(default=0, ge=0, le=MAX_POPULATION)
    halt_s: Duration = Field(
        default=fixed(0.0),
        alias="halt",
        description="time a passing force spends here (checkpoint, town)",
    )
    held_by: Literal["attacker", "defender"] = Field(
        default="defender",
        description="the side that holds the place when the scenario starts (attackers do "
        "not take again what they hold; only places taken during the run count as captured)",
    )


class Road(Section):
    """A road segment; travel time comes from length and speed or is given directly."""

    from_node: Id = Field(alias="from")
    to_node: Id = Field(alias="to")
    length_m: Quantity("length", gt=0) | None = Field(default=None, alias="length")
    speed_mps: Uncertain("speed", gt=0) | None = Field(default=None, alias="speed")
    travel_time_s: Duration | None = Field(default=None, alias="travel_time")
    delay_s: Duration = Field(
        default=fixed(0.0), alias="delay", description="checkpoint or obstacle delay on the segment"
    )
    two_way: bool = True

    @model_validator(mode="after")
    def _one_timing(self) -> Road:
        if (self.speed_mps is None) == (self.travel_time_s is None):
            raise ValueError(
                "give either 'speed' (with 'length') or 'travel_time', not both or neither"
            )
        if self.speed_mps is not None and self.length_m is None:
            raise ValueError("'speed' needs 'length'")
        return self


class Network(Section):
    """The road network forces move on: places (``nodes``) and the roads between them."""

    nodes: dict[Id, Node] = Field(min_length=1)
    roads: dict[Id, Road] = {}


class Trigger(Section):
    """When something starts: a named place falls, or a scheduled time."""

    town_falls: Id | None = None
    time_s: Quantity("time", ge=0) | None = Field(default=None, alias="time")

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        if (self.town_falls is None) == (self.time_s is None):
            raise ValueError("a trigger needs exactly one of 'town_falls' or 'time'")
        return self


class Support(Section):
    """Support that changes a force's effectiveness from a time on (air support): its
    Lanchester effectiveness is multiplied by ``effectiveness_factor`` from ``from`` (time
    since the scenario's start) until the horizon; a fight in progress is re-resolved."""

    from_s: Duration = Field(alias="from", description="when the support starts, from the "
                             "scenario's start")
    effectiveness_factor: Uncertain(DIMENSIONLESS, gt=0) = Field(
        description="multiplier on the force's effectiveness while supported"
    )


class Force(Section):
    """An armed force: a column that moves, a garrison that holds, a reinforcement."""

    side: Literal["attacker", "defender"]
    strength: Uncertain(DIMENSIONLESS, gt=0)
    start: Id
    objective: Id | None = None
    route: list[Id] | None = Field(default=None, min_length=2)
    departure_s: Duration = Field(default=fixed(0.0), alias="departure")
    effectiveness_per_s: Uncertain("rate", gt=0) = Field(
        alias="effectiveness",
        description="Lanchester attrition coefficient: enemy fighters put out of action "
        "per fighter per unit time, e.g. '0.02 /h'",
    )
    defender_advantage: Uncertain(DIMENSIONLESS, gt=0) = Field(
        default=fixed(1.0), description="multiplier on effectiveness when defending a place"
    )
    withdraw_ratio: Uncertain(DIMENSIONLESS, ge=0) = Field(
        default=fixed(0.0), description="withdraws when own/enemy strength falls below this"
    )
    trigger: Trigger | None = None
    mobilisation_s: Duration = Field(default=fixed(0.0), alias="mobilisation")
    support: Support | None = None

    @model_validator(mode="after")
    def _plan(self) -> Force:
        if self.objective is not None and self.route is not None:
            raise ValueError("give either 'objective' or 'route', not both")
        if self.route is not None and self.route[0] != self.start:
            raise ValueError(f"the route must begin at the start node '{self.start}'")
        return self


#: The default uncertainty on a breach-width regression: a lognormal factor, median 1,
#: 95 % of draws within a factor of 2 (an assumption after Wahl 2004, J. Hydraulic Eng.
#: 130(5):389-397, who finds breach-parameter predictions off by factors of 2 to 4;
#: scenarios/SOURCES.md [A:width-factor]).
DEFAULT_WIDTH_FACTOR = Distribution(
    kind="lognormal", params={"median": 1.0, "sigma": math.log(2.0) / 1.96}
)
BREACH_KINDS = ("full_breach", "partial_breach")
#: Failure-mode fields that describe a breach (their YAML keys), refused on other kinds.
_BREACH_FIELDS = {"mechanism": "mechanism", "width_m": "width",
                  "crest_fraction": "crest_fraction", "formation_s": "formation_time",
                  "width_factor": "width_factor"}


class FailureMode(Section):
    """What may happen to a captured dam: a breach, a partial breach, loss of the plant.

    A breach names its ``mechanism`` (`simulator.consequences.breach.MECHANISMS`):
    ``overtopping`` or ``piping`` take their width and formation time from Froehlich's
    (2008) regressions, the width times ``width_factor`` (the regression's uncertainty);
    ``demolition`` (explosives, a deliberate cut) has no regression and needs
    ``formation_time`` and a ``width`` or ``crest_fraction``. Any mechanism may override
    them, and ``depth_fraction``, with a value or a distribution.
    """

    kind: Literal["full_breach", "partial_breach", "loss_of_operation"]
    mechanism: Literal["overtopping", "piping", "demolition"] | None = Field(
        default=None, description="how a breach forms: overtopping, piping or demolition"
    )
    probability: Probability
    starts_on: Literal["capture", "threat", "start", "level"] = Field(
        default="capture",
        description="what starts the mode's clock: the dam's capture, its first threat, the "
        "scenario's start (a structural failure needs no attacker), or the reservoir "
        "rising to `level`",
    )
    level_m: Quantity("length", gt=0) | None = Field(
        default=None, alias="level",
        description="with starts_on level: the water level above the dam's base whose "
        "reaching starts the clock (read on the storage curve)",
    )
    delay_s: Duration | None = Field(
        default=None, alias="delay", description="time from the start of the clock to the event"
    )
    rate_per_s: Quantity("rate", gt=0) | None = Field(
        default=None, alias="rate",
        description="a constant hazard instead of a delay, e.g. '0.001 /d': the delay is then "
        "exponential with mean 1/rate",
    )
    depth_fraction: Uncertain(DIMENSIONLESS, gt=0, le=1) = Field(
        default=fixed(1.0), description="share of the dam height a breach cuts down"
    )
    width_m: Uncertain("length", gt=0) | None = Field(
        default=None, alias="width", description="average breach width (overrides the regression)"
    )
    crest_fraction: Uncertain(DIMENSIONLESS, gt=0, le=1) | None = Field(
        default=None, description="average breach width as a share of the crest length"
    )
    formation_s: Uncertain("time", gt=0) | None = Field(
        default=None, alias="formation_time", description="time for the breach to form"
    )
    width_factor: Uncertain(DIMENSIONLESS, gt=0) = Field(
        default=DEFAULT_WIDTH_FACTOR,
        description="factor on the regression's breach width (its uncertainty)",
    )
    restoration_s: Duration | None = Field(
        default=None, alias="restoration", description="time until the plant runs again"
    )

    @field_validator("depth_fraction")
    @classmethod
    def _depth_fits_kind(cls, depth: Distribution, info: ValidationInfo) -> Distribution:
        kind = info.data.get("kind")
        if kind == "full_breach" and not (depth.is_fixed and depth.mean == 1.0):
            raise ValueError(
                "a full_breach cuts the whole height, so depth_fraction must be 1; "
                "use kind: partial_breach for a breach that stops higher"
            )
        if kind == "partial_breach" and support(depth)[1] >= 1:
            raise ValueError("a partial_breach needs depth_fraction below 1")
        return depth

    @model_validator(mode="after")
    def _mode_fields(self) -> FailureMode:
        if (self.delay_s is None) == (self.rate_per_s is None):
            raise ValueError("a failure mode needs exactly one of 'delay' or 'rate'")
        if self.rate_per_s is not None:
            exponential = Distribution(kind="exponential", params={"mean": 1.0 / self.rate_per_s})
            object.__setattr__(self, "delay_s", exponential)
        if (self.starts_on == "level") != (self.level_m is not None):
            raise ValueError("'level' goes with starts_on: level, and starts_on: level needs "
                             "a 'level'")
        if self.mechanism == "demolition" and self.starts_on != "capture":
            raise ValueError(
                "a demolition needs an attacker in control of the dam: it starts_on capture"
            )
        if self.kind == "loss_of_operation":
            if self.restoration_s is None:
                raise ValueError(
                    "loss_of_operation needs 'restoration' (time until the plant runs)"
                )
            given = [key for name, key in _BREACH_FIELDS.items() if name in self.model_fields_set]
            if given:
                raise ValueError(f"'{given[0]}' describes a breach; loss_of_operation has none")
            return self
        if self.mechanism is None:
            raise ValueError(f"a {self.kind} needs 'mechanism': overtopping, piping or demolition")
        if self.width_m is not None and self.crest_fraction is not None:
            raise ValueError("give the breach 'width' or 'crest_fraction', not both")
        given_width = self.width_m is not None or self.crest_fraction is not None
        if given_width and "width_factor" in self.model_fields_set:
            raise ValueError(
                "'width_factor' scales the regression's width; with a given 'width' or "
                "'crest_fraction' put the uncertainty in that value instead"
            )
        if self.mechanism == "demolition" and (not given_width or self.formation_s is None):
            raise ValueError(
                "a demolition breach has no width or time regression: give its "
                "'formation_time' and its 'width' or 'crest_fraction'"
            )
        return self


class StoragePoint(Section):
    """One point of a reservoir's storage curve: a water height and the volume below it."""

    height_m: Quantity("length", ge=0) = Field(alias="height")
    volume_m3: Quantity("volume", ge=0) = Field(alias="volume")


class Drawdown(Section):
    """A release ordered from a time on (the bottom outlets opened, say): from ``from``
    (time since the scenario's start; ``now`` in an exercise option) the reservoir lets
    out ``rate`` instead of its routine release, for ``duration`` (to the horizon if not
    given)."""

    from_s: Duration = Field(alias="from", description="when the drawdown starts")
    rate_m3s: Uncertain("discharge", ge=0) = Field(
        alias="rate", description="the whole release during the drawdown"
    )
    duration_s: Duration | None = Field(
        default=None, alias="duration", description="how long it lasts (default: to the horizon)"
    )


class ReservoirOperation(Section):
    """How the reservoir is run over time, so the volume and head at a breach follow it
    (`simulator.engine.reservoir`): water flows in at ``inflow`` and out at ``release``
    (by default the inflow: the level held), and a ``drawdown`` releases more from a
    time on. The volume never falls below ``dead_storage`` (the outlets' sill) and never
    rises above the full reservoir (``max_volume``, else the storage curve's top): what
    comes in beyond it spills."""

    inflow_m3s: Uncertain("discharge", ge=0) = Field(
        default=fixed(0.0), alias="inflow", description="water flowing into the reservoir"
    )
    release_m3s: Uncertain("discharge", ge=0) | None = Field(
        default=None, alias="release",
        description="routine release (turbines, outlets); default: equal to the inflow",
    )
    drawdown: Drawdown | None = None
    dead_storage_m3: Quantity("volume", ge=0) = Field(
        default=0.0, alias="dead_storage",
        description="volume below the lowest outlet, which no release can let out",
    )


class Reservoir(Section):
    """The water behind the dam: volume stored (at the start when the reservoir is
    operated over time, else at the event), depth at the dam and, where known, the full
    volume, surface area or storage curve."""

    volume_m3: Uncertain("volume", gt=0) = Field(
        alias="volume", description="stored volume at the event, or at the start when "
        "'operation' is given"
    )
    max_volume_m3: Quantity("volume", gt=0) | None = Field(default=None, alias="max_volume")
    level_m: Quantity("length", gt=0) = Field(
        alias="level", description="water depth above the dam's base"
    )
    surface_area_m2: Quantity("area", gt=0) | None = Field(default=None, alias="surface_area")
    storage_curve: list[StoragePoint] | None = Field(default=None, min_length=2)
    operation: ReservoirOperation | None = Field(
        default=None, description="inflow, release and drawdown over time (needs a "
        "storage_curve, so the level follows the volume)")

    @model_validator(mode="after")
    def _increasing(self) -> Reservoir:
        curve = self.storage_curve or []
        for lower, upper in zip(curve, curve[1:], strict=False):
            if upper.height_m <= lower.height_m or upper.volume_m3 < lower.volume_m3:
                raise ValueError("storage_curve must rise: heights increasing, volumes not falling")
        return self


class PlantWater(Section):
    """The water through a hydropower plant's turbines, so that its output follows the
    reservoir: efficiency x rho g x flow x (reservoir level - tailwater), at most the
    nameplate (`simulator.consequences.grid.hydro_output_mw`)."""

    flow_m3s: Quantity("discharge", gt=0) = Field(
        alias="flow", description="water released through the turbines"
    )
    tailwater_m: Quantity("length", ge=0) = Field(
        alias="tailwater", description="water depth below the dam, above the dam's base"
    )
    efficiency: FiniteFloat = Field(gt=0, le=1, description="turbines and generators together")


class Plant(Section):
    """The dam's hydropower plant: its units, nameplate capacity and the grid bus it feeds,
    and what it can deliver: a sourced ``available_capacity``, or the ``water`` through
    its turbines under the reservoir's head; the nameplate if neither is given."""

    units: int = Field(ge=1, le=100)
    capacity_w: Quantity("power", gt=0) = Field(alias="capacity")
    bus: Id
    available_capacity_w: Quantity("power", gt=0) | None = Field(
        default=None, alias="available_capacity",
        description="the output the plant can sustain (below the nameplate)",
    )
    water: PlantWater | None = None

    @model_validator(mode="after")
    def _one_output(self) -> Plant:
        if self.available_capacity_w is not None and self.water is not None:
            raise ValueError("give the plant 'available_capacity' or 'water', not both")
        if self.available_capacity_w is not None and self.available_capacity_w > self.capacity_w:
            raise ValueError(
                f"the plant's available_capacity ({self.available_capacity_w / 1e6:g} MW) "
                f"exceeds its capacity ({self.capacity_w / 1e6:g} MW)"
            )
        return self


class Dam(Section):
    """The dam: its geometry, reservoir, outlets, plant, and what may happen to it once
    captured (``failure_modes``)."""

    name: str
    node: Id
    height_m: Quantity("length", gt=0) = Field(alias="height")
    crest_length_m: Quantity("length", gt=0) = Field(alias="crest_length")
    crest_elevation_m: Quantity("length") | None = Field(default=None, alias="crest_elevation")
    reservoir: Reservoir
    spillway_capacity_m3s: Quantity("discharge", ge=0) = Field(alias="spillway_capacity")
    bottom_outlet_capacity_m3s: Quantity("discharge", ge=0) = Field(
        default=0.0, alias="bottom_outlet_capacity"
    )
    plant: Plant | None = None
    failure_modes: dict[Id, FailureMode] = {}

    @model_validator(mode="after")
    def _plant_has_head(self) -> Dam:
        water = self.plant.water if self.plant is not None else None
        if water is not None and water.tailwater_m >= self.reservoir.level_m:
            raise ValueError(
                f"the plant's tailwater ({water.tailwater_m:g} m) must lie below the "
                f"reservoir level ({self.reservoir.level_m:g} m), or the plant has no head"
            )
        return self


#: Which fields belong to which kind of asset under ``assets.others`` (the engine's
#: `simulator.engine.assets.ASSET_KINDS` gives each kind its effect), and what starts an
#: asset's clock when the scenario does not say.
ASSET_FIELDS = {"power_plant": ("generators", "restoration_s"), "substation": ("lines",),
                "bridge": ("road",)}
ASSET_STARTS_ON = {"power_plant": "capture", "substation": "capture", "bridge": "arrival"}
ASSET_KEYS = {"generators": "generators", "restoration_s": "restoration", "lines": "lines",
              "road": "road"}


class Asset(Section):
    """An asset at risk besides the dam: a ``power_plant`` whose loss takes its generators
    (``grid.generators``) off the grid for a ``restoration`` time, a ``substation`` whose
    loss cuts its ``lines`` (``grid.lines``, repaired in ``grid.repair_time``), a
    ``bridge`` whose destruction closes its ``road``.

    Its clock ``starts_on`` the capture of its ``node`` (plants and substations by
    default), the first arrival of an attacking force there (bridges by default: the
    column that reaches it blows it), or the scenario's start (a strike at a time, or
    damage with no force modelled); the loss follows after ``delay`` with
    ``probability``.
    """

    kind: Literal["power_plant", "substation", "bridge"]
    name: str | None = None
    node: Id
    starts_on: Literal["capture", "arrival", "start"] | None = Field(
        default=None, description="what starts the clock: the node's capture, an attacker's "
        "first arrival there, or the scenario's start (default: capture; bridges: arrival)")
    probability: Probability = Field(default=1.0, description="chance the loss happens")
    delay_s: Duration = Field(default=fixed(0.0), alias="delay",
                              description="time from the start of the clock to the loss")
    generators: list[Id] = Field(default=[], description="power_plant: its generators")
    restoration_s: Duration | None = Field(
        default=None, alias="restoration",
        description="power_plant: time until its generators run again")
    lines: list[Id] = Field(default=[], description="substation: the lines its loss cuts")
    road: Id | None = Field(default=None, description="bridge: the road its loss closes")

    @model_validator(mode="after")
    def _kind_fields(self) -> Asset:
        if self.starts_on is None:
            object.__setattr__(self, "starts_on", ASSET_STARTS_ON[self.kind])
        own = ASSET_FIELDS[self.kind]
        for name in own:  # fields of another kind: checks.py, pointing at the key
            if name not in self.model_fields_set:
                raise ValueError(f"a {self.kind} needs '{ASSET_KEYS[name]}'")
        if self.kind != "bridge" and not (self.generators or self.lines):
            raise ValueError(f"a {self.kind} needs at least one of its "
                             f"'{ASSET_KEYS[own[0]]}'")
        return self


class Assets(Section):
    """The infrastructure at risk: the dam, and other assets by id (``others``)."""

    dam: Dam
    others: dict[Id, Asset] = {}


class Reach(Section):
    """A river reach below the dam, in downstream order, as a compound section: a main
    channel (width, bankfull depth, Manning's n) and the floodplain beyond its banks
    (total width of both sides, Manning's n; width 0 for none). Every value but the
    length may be a distribution; the length is fixed because the towns' river
    distances say which reach each town lies in."""

    length_m: Quantity("length", gt=0) = Field(alias="length")
    # At least 1e-6: the flood model's diffusion length Q/(T S c) grows without bound
    # as the slope goes to zero (rivers fall 1e-5 and more).
    slope: Uncertain(DIMENSIONLESS, ge=1e-6, le=0.1)
    # At least a metre: a river, not a film (the celerity of a far narrower channel
    # underflows to zero).
    channel_width_m: Uncertain("length", ge=1.0) = Field(alias="channel_width")
    bankfull_depth_m: Uncertain("length", gt=0) = Field(alias="bankfull_depth")
    # Manning's n from 0.005, below the smoothest surface of Chow's (1959) tables.
    channel_roughness: Uncertain(DIMENSIONLESS, ge=0.005, le=1) = Field(
        description="Manning's n of the main channel"
    )
    floodplain_width_m: Uncertain("length", ge=0) = Field(
        alias="floodplain_width", description="floodplain beyond the banks, both sides"
    )
    floodplain_roughness: Uncertain(DIMENSIONLESS, ge=0.005, le=1) = Field(
        description="Manning's n of the floodplain"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_single_rectangle(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and ("width" in data or "roughness" in data):
            raise ValueError(
                "'width' and 'roughness' (one rectangle per reach) are gone: give the "
                "reach's compound section, channel_width, bankfull_depth, "
                "channel_roughness, floodplain_width (0 m for none) and "
                "floodplain_roughness"
            )
        return data


class District(Section):
    """One river point of a large town: its distance below the dam, its people and the
    share of them living in the flooded area."""

    name: str | None = None
    river_distance_m: Quantity("length", ge=0) = Field(
        alias="river_distance", description="distance below the dam"
    )
    population: Uncertain(DIMENSIONLESS, ge=0) = Field(
        description="people living in the district (may be a distribution)"
    )
    floodplain_share: Uncertain(DIMENSIONLESS, ge=0, le=1) = Field(
        description="share of them living in the flooded area (may be a distribution)"
    )


class RiverTown(Section):
    """A town on the river below the dam, with the share of its people living in the
    flooded area; ``node`` ties it to a place on the road network. A large town strung
    along the river gives ``districts`` instead, each a river point with its own
    distance, population and floodplain share; its ``river_distance`` (where maps mark
    it) is then its nearest district's unless given."""

    name: str | None = None
    node: Id | None = None
    river_distance_m: Quantity("length", ge=0) | None = Field(
        default=None, alias="river_distance", description="distance below the dam"
    )
    population: Uncertain(DIMENSIONLESS, ge=0) | None = Field(
        default=None, description="people living in the town (may be a distribution)"
    )
    floodplain_share: Uncertain(DIMENSIONLESS, ge=0, le=1) | None = Field(
        default=None,
        description="share of people living in the flooded area (may be a distribution)"
    )
    districts: dict[Id, District] = Field(
        default={}, description="the town's river points, for a town strung along the river"
    )

    @model_validator(mode="after")
    def _whole_or_districts(self) -> RiverTown:
        if self.districts:
            given = [key for key in ("population", "floodplain_share")
                     if getattr(self, key) is not None]
            if given:
                raise ValueError(f"a town with districts gives '{given[0]}' per district, "
                                 f"not for the whole town")
            if self.river_distance_m is None:
                nearest_m = min(d.river_distance_m for d in self.districts.values())
                object.__setattr__(self, "river_distance_m", nearest_m)
            return self
        missing = [key for key, name in (("river_distance", "river_distance_m"),
                                         ("population", "population"),
                                         ("floodplain_share", "floodplain_share"))
                   if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a river town needs '{missing[0]}' (or 'districts', each "
                             f"with its own)")
        return self


class River(Section):
    """The river below the dam: base flow, reaches in downstream order, the towns along
    it, the flood depth that does damage, and the rise of the water above its
    pre-breach level that counts as the flood's arrival (one foot, 0.3 m, by default:
    the arrival definition of dam-break inundation studies, see
    `simulator.consequences.flood.DEFAULT_ARRIVAL_RISE_M`)."""

    base_flow_m3s: Quantity("discharge", gt=0) = Field(alias="base_flow")
    damaging_depth_m: Quantity("length", gt=0) = Field(default=0.6, alias="damaging_depth")
    arrival_rise_m: Quantity("length", gt=0) = Field(default=0.3, alias="arrival_rise")
    reaches: dict[Id, Reach] = Field(min_length=1)
    towns: dict[Id, RiverTown] = {}


#: A quantile drawn uniformly in Graham's fatality-rate range: every point of the
#: published range equally likely, its median the suggested rate (an assumption,
#: scenarios/SOURCES.md [A:rate-quantile]).
UNIFORM_QUANTILE = Distribution(kind="uniform", params={"low": 0.0, "high": 1.0})


class Warning(Section):
    """How a warning reaches the towns below the dam, and what they make of it: what sets
    it off (``starts_on``: the breach, the dam's capture, or the threat, when an attacking
    force sets off on a road to the dam), the delay from that to the decision to warn
    (``detection_delay``), the delay to spread the word to each town, how well people
    understand it (Graham 1999's flood-severity understanding), and each town's quantile
    in Graham's fatality-rate range (``rate_quantile``, drawn per town)."""

    starts_on: Literal["breach", "capture", "threat"] = "breach"
    detection_delay_s: Duration = Field(alias="detection_delay")
    dissemination_delay_s: Duration = Field(alias="dissemination_delay")
    understanding: Literal["vague", "precise"] = "vague"
    rate_quantile: Uncertain(DIMENSIONLESS, ge=0, le=1) = Field(
        default=UNIFORM_QUANTILE,
        description="quantile in Graham's (1999) Table 7 fatality-rate range: 0 the low "
        "end, 0.5 the suggested rate, 1 the high end; drawn once per town",
    )


class Bus(Section):
    """A grid bus; ``region`` groups buses when unserved energy is reported."""

    name: str | None = None
    region: str | None = None


class Line(Section):
    """A transmission line between two buses; the capture of ``cut_when_captured`` cuts it."""

    from_bus: Id = Field(alias="from")
    to_bus: Id = Field(alias="to")
    capacity_w: Quantity("power", gt=0) = Field(alias="capacity")
    reactance_pu: FiniteFloat = Field(
        ge=1e-4, le=10, alias="reactance", description="series reactance, per unit on 100 MVA"
    )
    cut_when_captured: Id | None = Field(
        default=None, description="a node whose capture cuts this line"
    )


class Generator(Section):
    """A dispatchable power plant on a bus, with its capacity and marginal cost per MWh."""

    bus: Id
    capacity_w: Quantity("power", gt=0) = Field(alias="capacity")
    cost_per_mwh: FiniteFloat = Field(
        ge=0, lt=VALUE_OF_LOST_LOAD_PER_MWH, alias="cost", description="marginal cost per MWh"
    )


class Load(Section):
    """Demand at a bus: its peak and 24 hourly multipliers of the peak."""

    bus: Id
    peak_w: Quantity("power", gt=0) = Field(alias="peak")
    profile: list[Annotated[FiniteFloat, Field(ge=0, le=1)]] = Field(
        min_length=24, max_length=24, description="24 hourly multipliers of the peak"
    )
    value_of_lost_load_per_mwh: FiniteFloat | None = Field(
        default=None, gt=0, le=1e9, alias="value_of_lost_load",
        description=f"cost of shedding a MWh of this load (default "
        f"{VALUE_OF_LOST_LOAD_PER_MWH:,.0f}); loads valued higher are shed last",
    )


class Grid(Section):
    """The power grid: buses, lines, plants, loads, and how long a cut line takes to
    repair."""

    buses: dict[Id, Bus] = Field(min_length=1)
    lines: dict[Id, Line] = {}
    generators: dict[Id, Generator] = {}
    loads: dict[Id, Load] = {}
    repair_time_s: Duration = Field(default=fixed(7 * 86400.0), alias="repair_time")

    @model_validator(mode="after")
    def _shedding_costs_more_than_generating(self) -> Grid:
        if not self.generators:
            return self
        dearest = max(self.generators, key=lambda name: self.generators[name].cost_per_mwh)
        cost = self.generators[dearest].cost_per_mwh
        for load_id, load in self.loads.items():
            value = load.value_of_lost_load_per_mwh
            if value is not None and value <= cost:
                raise ValueError(
                    f"load '{load_id}' has value_of_lost_load {value:g}, but shedding it "
                    f"must cost more than every generator (generator '{dearest}' costs "
                    f"{cost:g} per MWh)"
                )
        return self


class Role(Section):
    """A player role in an exercise (a ministry, civil defence); injects and decisions name
    the roles they go to, and each role has its own inbox on the board."""

    name: str = ""
    description: str = ""


class Inject(Section):
    """A message to the players in an exercise, sent at a time or when a trigger fires.
    `roles` are the roles it goes to (none: every player); `method` (phone, radio, email,
    in person) and `objective` (what the inject tests) are planning columns of the MSEL."""

    time_s: Quantity("time", ge=0) | None = Field(default=None, alias="time")
    trigger: Trigger | None = None
    sender: str = Field(alias="from")
    receiver: str = Field(alias="to")
    message: str
    expected_action: str = ""
    roles: list[Id] = []
    method: str = ""
    objective: str = ""
    # what the message takes for granted: places fallen, and a state of the dam (the
    # engine's event: "threatened", a column on its way; "captured"; "breached"). A story
    # that reaches the inject before it holds marks the inject (Step.note), never silently
    assumes_fallen: list[Id] = []
    assumes_dam: Literal["threatened", "captured", "breached"] | None = None


class DecisionOption(Section):
    """One choice at a decision; its overrides change the scenario from the decision on."""

    description: str = ""
    overrides: dict[str, Any] = {}


class Decision(Section):
    """A question put to the players at a time or trigger, with two or more options."""

    time_s: Quantity("time", ge=0) | None = Field(default=None, alias="time")
    trigger: Trigger | None = None
    question: str
    options: dict[Id, DecisionOption] = Field(min_length=2)
    roles: list[Id] = []  # the roles that decide (none: every player)


class Exercise(Section):
    """The tabletop exercise played on the scenario: its roles, injects and decisions."""

    roles: dict[Id, Role] = {}
    injects: dict[Id, Inject] = {}
    decisions: dict[Id, Decision] = {}


class Variant(Section):
    """A named alternative to the scenario: overrides applied to it at load time."""

    description: str = ""
    overrides: dict[str, Any] = {}


class Scenario(Section):
    """A whole, validated scenario; the engine reads nothing else."""

    scenario: ScenarioInfo
    network: Network
    forces: dict[Id, Force] = Field(default_factory=dict)
    assets: Assets
    river: River
    warning: Warning
    grid: Grid
    exercise: Exercise | None = None
    variants: dict[Id, Variant] = {}

    _source: str = PrivateAttr(default="")
    _variant: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str:
        """The file this scenario was loaded from."""
        return self._source

    @property
    def variant(self) -> str | None:
        """The variant applied at load time, if any."""
        return self._variant


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files, for editors' YAML language servers."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "infrasim scenario"
    from .layers import DEFAULTS

    schema["$defs"]["Uncertainty"]["description"] += " Defaults, first match decides: " + "; ".join(
        f"{pattern}: {layer} ({why})" for pattern, layer, why in DEFAULTS) + "."
    return schema
