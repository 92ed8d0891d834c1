"""A river's compound cross-section: a rectangular main channel between its banks and a
flat floodplain beyond them, with their own Manning's n.

Below bankfull depth only the channel carries water; above it the floodplain fills too,
so the top width jumps, the area grows fast and the velocity on the floodplain is low.
That is why a flood wave slows and flattens where it spills out of bank, and why the
routing in `flood` takes its celerity and stage from this section.

Conveyance follows the divided-channel method with vertical division lines: the channel
and the floodplain are subsections, each with K = A R^(2/3) / n (SI form of Manning's
equation, Q = K S^(1/2)), the vertical interface between them is left out of both wetted
perimeters, and the section's conveyance is their sum (USACE HEC-RAS Hydraulic Reference
Manual, "Cross Section Subdivision for Conveyance Calculations", eqs. 1-2: conveyance
per subdivision, summed over left overbank, channel and right overbank; Chow 1959,
Open-Channel Hydraulics, ch. 6, compound sections). The floodplain here is the two
overbanks lumped (their widths added, one n): a flat overbank of total width B_f has
the same area and, to within its short outer walls, the same conveyance split in two.

Geometry, with y the depth above the channel bed, b the channel width, h the bankfull
depth, B_f the floodplain width and d = max(y - h, 0) the depth on the floodplain:

- channel: A_c = b y, wetted perimeter P_c = b + 2 min(y, h);
- floodplain: A_f = B_f d, P_f = B_f + 2 d (bounded by the valley's walls);
- with no floodplain (B_f = 0) the channel's banks continue upwards, P_c = b + 2 y, and
  the section is the plain rectangle of Manning's formula.

Every method takes and returns numpy arrays (or floats) elementwise. SI units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["CompoundSection"]

_MAX_NEWTON_STEPS = 60
_RELATIVE_TOLERANCE = 1e-13


@dataclass(frozen=True)
class CompoundSection:
    """A rectangular main channel with a flat floodplain on its banks.

    `floodplain_width_m` is the total width of floodplain beyond the channel (both banks
    together); 0 makes a plain rectangle. `slope` is the bed (and friction) slope.
    """

    channel_width_m: float
    bankfull_depth_m: float
    channel_n: float
    floodplain_width_m: float
    floodplain_n: float
    slope: float

    def __post_init__(self) -> None:
        for name in ("channel_width_m", "bankfull_depth_m", "channel_n", "floodplain_n",
                     "slope"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"CompoundSection.{name} must be > 0, got {value}")
        if not (math.isfinite(self.floodplain_width_m) and self.floodplain_width_m >= 0):
            raise ValueError(
                f"CompoundSection.floodplain_width_m must be >= 0, got {self.floodplain_width_m}"
            )

    @classmethod
    def rectangle(cls, width_m: float, manning_n: float, slope: float) -> CompoundSection:
        """A plain rectangular channel (no floodplain)."""
        return cls(width_m, 1.0, manning_n, 0.0, manning_n, slope)

    # ------------------------------------------------------------------ geometry

    @property
    def _bank_height_m(self) -> float:
        """How high the channel's walls count in its wetted perimeter."""
        return self.bankfull_depth_m if self.floodplain_width_m > 0 else math.inf

    def _overbank_depth_m(self, depth_m):
        if self.floodplain_width_m == 0:
            return np.zeros_like(depth_m)
        return np.maximum(depth_m - self.bankfull_depth_m, 0.0)

    def area_m2(self, depth_m):
        """Flow area (m^2) at a depth above the channel bed."""
        depth_m = np.asarray(depth_m, dtype=float)
        return (self.channel_width_m * depth_m
                + self.floodplain_width_m * self._overbank_depth_m(depth_m))

    def top_width_m(self, depth_m):
        """Water-surface width (m): the channel's up to bankfull depth, channel plus
        floodplain above it."""
        depth_m = np.asarray(depth_m, dtype=float)
        return np.where(depth_m > self._bank_height_m,
                        self.channel_width_m + self.floodplain_width_m, self.channel_width_m)

    def overbank_depth_m(self, depth_m):
        """Depth of water on the floodplain (m): above the bank top, zero in bank."""
        return self._overbank_depth_m(np.asarray(depth_m, dtype=float))

    # --------------------------------------------------------------- conveyance

    def _subsections(self, depth_m):
        """(area, wetted perimeter, n, d area/dy, d perimeter/dy) of the channel, and of
        the floodplain or None when no water stands on it (it then adds nothing)."""
        depth_m = np.maximum(np.asarray(depth_m, dtype=float), 0.0)
        b, bank = self.channel_width_m, self._bank_height_m
        channel = (b * depth_m, b + 2.0 * np.minimum(depth_m, bank), self.channel_n,
                   b, np.where(depth_m < bank, 2.0, 0.0))
        overbank_m = self._overbank_depth_m(depth_m)
        if not (overbank_m > 0.0).any():
            return channel, None
        # The rates of area and perimeter are the flooded ones everywhere: where no
        # water stands on the floodplain its area, conveyance and rate are zero anyway.
        floodplain = (self.floodplain_width_m * overbank_m,
                      self.floodplain_width_m + 2.0 * overbank_m, self.floodplain_n,
                      self.floodplain_width_m, 2.0)
        return channel, floodplain

    @staticmethod
    def _conveyance_and_slope(area, perimeter, n, d_area, d_perimeter):
        """K = A R^(2/3) / n with R = A/P, and dK/dy = R^(2/3) (5/3 A' - 2/3 R P') / n
        (written without dividing by A, so a film of water is no special case; the
        perimeters are never zero, so a dry subsection has R = 0 and adds nothing).
        R is an array even at one depth: numpy's power of an array (SIMD where the CPU
        has it) and of a scalar can differ in the last bit."""
        radius = np.divide(area, perimeter, out=np.empty(np.shape(area)))
        factor = radius ** (2.0 / 3.0) / n
        return area * factor, factor * (5.0 * d_area - 2.0 * radius * d_perimeter) / 3.0

    def _conveyance_with_rate(self, depth_m):
        """(K, dK/dy): channel plus floodplain (`conveyance`)."""
        channel, floodplain = self._subsections(depth_m)
        conveyance, rate = self._conveyance_and_slope(*channel)
        if floodplain is not None:
            k_f, dk_f = self._conveyance_and_slope(*floodplain)
            conveyance, rate = conveyance + k_f, rate + dk_f
        return conveyance, rate

    def conveyance(self, depth_m):
        """Conveyance K (m^3/s) with Q = K S^(1/2): channel plus floodplain, each
        A R^(2/3) / n, the interface between them not wetted (divided-channel method)."""
        return self._conveyance_with_rate(depth_m)[0]

    def discharge_m3s(self, depth_m):
        """Uniform-flow discharge (m^3/s) at a depth: Manning in SI units, Q = K S^(1/2)."""
        return self.conveyance(depth_m) * math.sqrt(self.slope)

    def subsection_discharges_m3s(self, depth_m):
        """(channel, floodplain) discharges (m^3/s) at a depth; they add up to
        `discharge_m3s`."""
        channel, floodplain = self._subsections(depth_m)
        root_slope = math.sqrt(self.slope)
        channel_m3s = self._conveyance_and_slope(*channel)[0] * root_slope
        if floodplain is None:
            return channel_m3s, np.zeros_like(channel_m3s)
        return channel_m3s, self._conveyance_and_slope(*floodplain)[0] * root_slope

    def floodplain_velocity_mps(self, depth_m):
        """Mean velocity on the floodplain (m/s): its discharge over its area; zero in
        bank. With no floodplain, the mean velocity of the whole section."""
        depth_m = np.asarray(depth_m, dtype=float)
        if self.floodplain_width_m == 0:
            area = self.area_m2(depth_m)
            return np.where(area > 0, self.discharge_m3s(depth_m) / np.where(area > 0, area, 1),
                            0.0)
        _, floodplain_m3s = self.subsection_discharges_m3s(depth_m)
        area = self.floodplain_width_m * self._overbank_depth_m(depth_m)
        return np.where(area > 0, floodplain_m3s / np.where(area > 0, area, 1.0), 0.0)

    @cached_property
    def _bankfull_conveyance(self) -> float:
        return float(self.conveyance(self.bankfull_depth_m))

    @cached_property
    def bankfull_discharge_m3s(self) -> float:
        """The discharge that just fills the channel (inf with no floodplain)."""
        if self.floodplain_width_m == 0:
            return math.inf
        return float(self.discharge_m3s(self.bankfull_depth_m))

    # ------------------------------------------------------------------ inverse

    def depth_m(self, discharge_m3s):
        """Normal depth (m) carrying a discharge: the inverse of `discharge_m3s`.

        The conveyance is increasing and convex in depth (each subsection's A^(5/3)
        P^(-2/3) is, and at the bank top the channel's perimeter stops growing, which
        only steepens it), so Newton's method from the wide-channel estimate lands
        above the root after its first step and then descends to it monotonically; it
        stops at a relative step of 1e-13. Elementwise; zero discharge gives zero depth.
        """
        target = np.maximum(np.asarray(discharge_m3s, dtype=float), 0.0) / math.sqrt(self.slope)
        depth = (target * self.channel_n / self.channel_width_m) ** 0.6
        if self.floodplain_width_m > 0:
            # Wide-floodplain estimate for what the full channel does not carry.
            spill = np.maximum(target - self._bankfull_conveyance, 0.0)
            overbank = (spill * self.floodplain_n / self.floodplain_width_m) ** 0.6
            depth = np.minimum(depth, self.bankfull_depth_m + overbank)
        wet = target > 0.0
        depth = np.where(wet, depth, 0.0)
        for _ in range(_MAX_NEWTON_STEPS):
            conveyance, rate = self._conveyance_with_rate(depth)
            # A depth so small that the rate underflows to zero is as good as found.
            moving = wet & (rate > 0.0)
            step = np.divide(conveyance - target, rate, out=np.zeros(depth.shape),
                             where=moving)
            depth = np.maximum(depth - step, 0.5 * depth)
            if (np.abs(step) <= _RELATIVE_TOLERANCE * depth).all():
                break
        return depth if depth.ndim else float(depth)

    def celerity_mps(self, discharge_m3s):
        """Kinematic wave celerity c = dQ/dA (m/s) at a discharge: (dQ/dy) / T.

        In bank it is the channel's (5/3 of the velocity in a wide channel); just above
        bankfull the top width jumps to the floodplain's and the celerity drops, then
        recovers as the floodplain deepens."""
        celerity = self.celerity_at_depth_mps(self.depth_m(discharge_m3s))
        return celerity if celerity.ndim else float(celerity)

    def celerity_at_depth_mps(self, depth_m):
        """Kinematic wave celerity dQ/dA (m/s) at a depth (no inversion needed)."""
        return self.rating_at_depth(depth_m)[1]

    def rating_at_depth(self, depth_m):
        """(discharge m^3/s, kinematic celerity m/s, top width m) at depths: what a
        rating table holds, from one evaluation of the conveyance and its rate."""
        depth = np.asarray(depth_m, dtype=float)
        conveyance, rate = self._conveyance_with_rate(depth)
        root_slope = math.sqrt(self.slope)
        top_width_m = self.top_width_m(depth)
        return conveyance * root_slope, rate * root_slope / top_width_m, top_width_m
