"""Two published dam failures, routed by the reference shallow-water solver
(consequences/shallow_water.py) and by the fast routing (consequences/flood.py) from the
same breach hydrograph (consequences/breach.py), against what was observed.

Both valleys are cut down to one prismatic section per reach (a river channel with a
flat floodplain, section.CompoundSection) along a straight path. Every number below is
either sourced or marked ASSUMPTION, and none was adjusted to fit the observations: the
geometry rules were written down before the runs, and the gaps are recorded as found.

Teton Dam, Idaho, 5 June 1976 (piping failure at 11:57 a.m.):
- Reservoir 3.10e8 m^3 at 77.4 m above the breach bottom, dam 93 m: Froehlich (1995)
  data set and Wahl (1998, USBR DSO-98-004), as in tests/consequences/test_breach.py;
  the breach is breach.py's piping breach (Froehlich 2008) on that reservoir.
- Observed peak discharge 2,300,000 ft^3/s = 65,120 m^3/s by slope-area measurement
  14.5 km below the dam (USGS Professional Paper 1028, as cited in test_breach.py).
- Flood reached Sugar City about 1:00 p.m. and Rexburg near 2:30 p.m. (City of
  Rexburg, "FLOOD 50" commemoration, Flood Facts); Museum of Rexburg: it first reached
  Rexburg at 2:25 p.m. (East Idaho News, 2022-06). Here: 63 min and 148 min after
  failure, reports rounded to the quarter hour at best.
- Water 6 to 8 ft (1.8-2.4 m) deep in Rexburg in the initial surge (L. W. Hooton Jr.,
  "Teton Dam Failure Redux", Salt Lake City Public Utilities news, 29 June 2009).
- Geometry: dam 43.90972 N 111.53917 W, reservoir normal level 5,320 ft = 1,622 m
  (Wikipedia "Teton Dam"); Sugar City 43.87222 N 111.74722 W at 1,492 m (Wikipedia
  "Sugar City, Idaho"); Rexburg 43.8260 N 111.7897 W (countryaah.com, cities of
  Madison County, Idaho). Flood path: great-circle dam to
  Sugar City x 1.25 (ASSUMPTION: canyon sinuosity), then straight to Rexburg on the open
  plain. Bed slope from the breach bottom (1,622 - 77.4 m) to Sugar City, the same
  beyond. Canyon down to the slope-area site 14.5 km below the dam: a 30 m river
  channel 3 m deep in a canyon floor as wide as the dam's crest (940 m, Wikipedia) at
  half the dam's height (ASSUMPTION: V-shaped canyon), n = 0.04 (Chow 1959, Table 5-6,
  mountain streams, ASSUMPTION). Plain: a 40 m x 2 m river channel, n = 0.035, in a
  floodplain 8 km wide ("at times over five miles wide", AP report, June 1976; 6-8
  miles, Deseret News 2001), n = 0.06 (Chow 1959, floodplains with light brush,
  ASSUMPTION). Base flow 30 m^3/s (ASSUMPTION).

Malpasset Dam, France, 2 December 1959 (arch dam, sudden total failure):
- Reservoir level 100 m a.s.l., 55 m deep at the dam, 48.9e6 m^3 on the benchmark mesh,
  Strickler 30 (n = 1/30) everywhere, transformers A (5550, 4400), B (11900, 3250) and
  C (13000, 2700) in the benchmark's metric coordinates, dam line from (4701, 4143) to
  (4656, 4392), bed about 12.3 m a.s.l. by B: the TELEMAC-2D Malpasset example
  (Hervouet & Petitjean 1999, J. Hydraulic Research 37(6):777-788; telemac-mascaret
  examples/telemac2d/malpasset and its doc/malpasset.tex), as restated in the CelerisAi
  Malpasset validation notes found with the code search.
- Observed: the wave's travel time between the transformers, measured by when each
  one was shut down by the flood: A to B 1,140 s, A to C 1,320 s (same sources).
- Dam 60 m high (French ministry BARPI accident summary No. 29490); crest about 223 m
  long (736 ft; ASSUMPTION, from a secondary account). The breach is breach.py's
  demolition breach: the whole height, average width half the crest (a V-shaped gap,
  ASSUMPTION), formed in 10 s (ASSUMPTION: the arch gave way at once).
- Path: straight lines dam-A-B-C. Gorge from the dam to A: a 20 m x 5 m channel with
  a floor as wide as the gap (223 m crest, V-shaped, ASSUMPTION); below A: a 50 m x 3 m
  channel in a floodplain 1,950 m wide (ASSUMPTION: the benchmark's flooded area,
  24-31 km^2, over the ~12 km from dam to sea); bed slope from 45 m at the dam to
  12.3 m at B.

Tolerances and gaps (measured 2026-12-02, cells as in the tests; the fast routing is
flood.py's variable-parameter Muskingum-Cunge on compound sections):
- Teton, reference: peak at 14.5 km within 25 % (-5 %); arrivals within 50 % (Sugar
  City +44 % late, Rexburg -15 % early); Rexburg flood depth within 1 m of 1.8-2.4 m
  (2.4 m). Fast routing: peak within 25 % (-7 %); arrivals within 50 % (+43 %, -15 %);
  depth within 1 m of the range (2.7 m). GAP (both models): the reports put 85 min
  between Sugar City and Rexburg, 6 km apart; both models take about 35 min there. One straight path and one floodplain width cannot hold a flood that
  split around the Rexburg bench and spread over farmland, and the reported times are
  rounded.
- Malpasset: both models' travel times within 25 %, and early: the reference -11 % and
  -5 % on 50 m cells (-15 % and -9 % on the 100 m cells of the bounded run; they
  converge towards the observations as the cells shrink), the fast routing -15 % and
  -21 %. The straight path dam-A-B-C is shorter than the valley's, which errs early.
"""

import math
import os

import numpy as np
import pytest

from simulator.consequences import flood
from simulator.consequences.breach import Reservoir, breach_geometry, breach_hydrograph
from simulator.consequences.section import CompoundSection
from simulator.consequences.shallow_water import Channel, Inflow, Reach, simulate, steady_flow

SCALE = float(os.environ.get("INFRASIM_SLOW_SCALE", "1"))
#: The bounded form (SCALE < 1) doubles the cells' length.
CELL_FACTOR = 1.0 if SCALE >= 1.0 else 2.0
ARRIVAL_RISE_M = flood.DEFAULT_ARRIVAL_RISE_M
EARTH_RADIUS_M = 6_371_000.0

# --- Teton -------------------------------------------------------------------------
TETON_VOLUME_M3 = 3.10e8
TETON_HEAD_M = 77.4
TETON_DAM_HEIGHT_M = 93.0
TETON_OBSERVED_PEAK_M3S = 65_120.0
TETON_PEAK_SITE_M = 14_500.0
TETON_ARRIVAL_SUGAR_CITY_S = 63 * 60.0
TETON_ARRIVAL_REXBURG_S = 148 * 60.0
TETON_REXBURG_DEPTH_M = (1.8, 2.4)
TETON_DAM = (43.90972, -111.53917)
SUGAR_CITY = (43.87222, -111.74722)
REXBURG = (43.8260, -111.7897)
TETON_RESERVOIR_LEVEL_M = 1622.0
SUGAR_CITY_ELEVATION_M = 1492.0
CANYON_SINUOSITY = 1.25
TETON_CREST_M = 940.0
TETON_BASE_FLOW_M3S = 30.0

# --- Malpasset ---------------------------------------------------------------------
MALPASSET_VOLUME_M3 = 48.9e6
MALPASSET_DEPTH_AT_DAM_M = 55.0
MALPASSET_DAM_HEIGHT_M = 60.0
MALPASSET_CREST_M = 223.0
MALPASSET_FORMATION_S = 10.0
MALPASSET_N = 1.0 / 30.0
MALPASSET_DAM = (4678.4, 4267.8)  # midpoint of the benchmark's dam line
TRANSFORMERS = {"A": (5550.0, 4400.0), "B": (11900.0, 3250.0), "C": (13000.0, 2700.0)}
MALPASSET_BED_AT_DAM_M = 100.0 - MALPASSET_DEPTH_AT_DAM_M
MALPASSET_BED_AT_B_M = 12.3
OBSERVED_A_TO_B_S = 1140.0
OBSERVED_A_TO_C_S = 1320.0


def _great_circle_m(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    haversine = (math.sin((lat2 - lat1) / 2) ** 2
                 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(haversine))


def _both_models(hydrograph, sections, gauges_m, cell_m, end_s, base_flow_m3s):
    """(reference run, fast-routing impacts) of one hydrograph down (length, section)
    reaches."""
    channel = Channel(tuple(Reach(length_m, s.slope, s) for length_m, s in sections),
                      cell_m=cell_m, max_depth_m=80.0)
    depth_m, flows_m3s = steady_flow(channel, base_flow_m3s)
    reference = simulate(channel, depth_m, flows_m3s, end_s,
                         inflow=Inflow(hydrograph.times_s, hydrograph.outflow_m3s),
                         gauges_m=gauges_m)
    fast = flood.route_flood(hydrograph.times_s, hydrograph.outflow_m3s,
                             [flood.Reach(length_m, s) for length_m, s in sections], gauges_m,
                             base_flow_m3s=base_flow_m3s, arrival_rise_m=ARRIVAL_RISE_M)
    return reference, fast


@pytest.fixture(scope="module")
def teton():
    reservoir = Reservoir(TETON_VOLUME_M3, TETON_HEAD_M, TETON_DAM_HEIGHT_M)
    hydrograph = breach_hydrograph(reservoir, breach_geometry(reservoir, "piping"),
                                   base_flow_m3s=TETON_BASE_FLOW_M3S)
    sugar_city_m = CANYON_SINUOSITY * _great_circle_m(TETON_DAM, SUGAR_CITY)
    rexburg_m = sugar_city_m + _great_circle_m(SUGAR_CITY, REXBURG)
    slope = (TETON_RESERVOIR_LEVEL_M - TETON_HEAD_M - SUGAR_CITY_ELEVATION_M) / sugar_city_m
    canyon = CompoundSection(30.0, 3.0, 0.04, (TETON_CREST_M - 30.0) / 2, 0.04, slope)
    plain = CompoundSection(40.0, 2.0, 0.035, 8000.0, 0.06, slope)
    sections = [(TETON_PEAK_SITE_M, canyon), (rexburg_m - TETON_PEAK_SITE_M + 5000.0, plain)]
    gauges_m = [TETON_PEAK_SITE_M - 1.0, sugar_city_m, rexburg_m]
    reference, fast = _both_models(hydrograph, sections, gauges_m, 200.0 * CELL_FACTOR,
                                   6 * 3600.0, TETON_BASE_FLOW_M3S)
    return reference, fast, plain


@pytest.fixture(scope="module")
def malpasset():
    reservoir = Reservoir(MALPASSET_VOLUME_M3, MALPASSET_DEPTH_AT_DAM_M, MALPASSET_DAM_HEIGHT_M)
    breach = breach_geometry(reservoir, "demolition", average_width_m=MALPASSET_CREST_M / 2,
                             formation_s=MALPASSET_FORMATION_S)
    hydrograph = breach_hydrograph(reservoir, breach)
    to_a = math.dist(MALPASSET_DAM, TRANSFORMERS["A"])
    to_b = to_a + math.dist(TRANSFORMERS["A"], TRANSFORMERS["B"])
    to_c = to_b + math.dist(TRANSFORMERS["B"], TRANSFORMERS["C"])
    slope = (MALPASSET_BED_AT_DAM_M - MALPASSET_BED_AT_B_M) / to_b
    gorge = CompoundSection(20.0, 5.0, MALPASSET_N, (MALPASSET_CREST_M - 20.0) / 2,
                            MALPASSET_N, slope)
    valley = CompoundSection(50.0, 3.0, MALPASSET_N, 1950.0, MALPASSET_N, slope)
    sections = [(to_a, gorge), (to_c - to_a + 2000.0, valley)]
    reference, fast = _both_models(hydrograph, sections, [to_a, to_b, to_c],
                                   50.0 * CELL_FACTOR, 3000.0, 0.0)
    return reference, fast


@pytest.mark.slow
def test_teton_peak_discharge_at_the_slope_area_site(teton):
    """Both models within 25 % of the 65,120 m^3/s measured 14.5 km below the dam."""
    reference, fast, _ = teton
    assert reference.peak_discharge_m3s()[0] == pytest.approx(TETON_OBSERVED_PEAK_M3S, rel=0.25)
    assert fast[0].peak_discharge_m3s == pytest.approx(TETON_OBSERVED_PEAK_M3S, rel=0.25)


@pytest.mark.slow
def test_teton_arrival_at_sugar_city_and_rexburg(teton):
    """Both models within 50 % of the reported arrivals. Today both are late at Sugar City
    and early at Rexburg (the gap in the module docstring); the test holds the tolerance,
    not the direction, so a better model still passes."""
    reference, fast, _ = teton
    observed = np.array([TETON_ARRIVAL_SUGAR_CITY_S, TETON_ARRIVAL_REXBURG_S])
    for arrivals in (reference.arrival_s(ARRIVAL_RISE_M)[1:],
                     np.array([town.arrival_s for town in fast[1:]])):
        assert np.all(np.abs(arrivals / observed - 1.0) < 0.5)


@pytest.mark.slow
def test_teton_flood_depth_in_rexburg(teton):
    """Depth on Rexburg's ground (stage above the plain's bank top) within 1 m of the
    6-8 ft reported."""
    reference, fast, plain = teton
    reference_m = reference.gauge_depth_m[:, 2].max() - plain.bankfull_depth_m
    low, high = TETON_REXBURG_DEPTH_M
    for depth_m in (reference_m, fast[2].peak_flood_depth_m):
        assert low - 1.0 < depth_m < high + 1.0


@pytest.mark.slow
def test_malpasset_travel_times_between_transformers(malpasset):
    """Both models within 25 % of the observed A-B and A-C travel times (today both are
    early: 5-21 % short)."""
    reference, fast = malpasset
    arrivals = reference.arrival_s(ARRIVAL_RISE_M)
    observed = np.array([OBSERVED_A_TO_B_S, OBSERVED_A_TO_C_S])
    fast_s = np.array([fast[1].arrival_s - fast[0].arrival_s,
                       fast[2].arrival_s - fast[0].arrival_s])
    for ratio in (arrivals[1:] - arrivals[0]) / observed, fast_s / observed:
        assert np.all(np.abs(ratio - 1.0) < 0.25), ratio
