"""Is the fast flood routing bound by numpy's per-call overhead, or by its arithmetic?

A breach's routing (`flood.route_flood`) spends most of its time in
`flood._route_subreach`: two sweeps of the variable-parameter Muskingum-Cunge recursion
over every step of the time grid, sub-reach after sub-reach, each sweep about twenty
whole-array numpy operations. Here the same sweeps are written as one compiled loop
(numba, a benchmark-only dependency: ``pip install -e .[bench]``) that does the same
floating-point operations in the same order: `np.interp`'s own formula with its
precomputed slopes, then LAPACK's forward substitution, one step at a time. Its results
must be bit-identical to numpy's, which is checked on every recorded breach (the
benchmark stands for the question only while they are: NaN inputs, which numpy's
`maximum`/`minimum` propagate, are not handled).

If the compiled loop is only a little faster, the cost is the recursion's arithmetic
(five divisions a step: dx/c, D/dx, dt/(1 + D), dt/2K and the denominator), which
numpy's passes already run near the machine's rate, not Python; only fewer steps,
sub-reaches or sweeps (a change of the model's numerics) would make floods cheaper.
The prototype is this file; the package does not use it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from bench import Context, best_time_s, breaching_replications, measurement, route_flood_calls


@cache
def _compiled_sweeps() -> Any:
    """The sweeps of `_route_subreach` as one numba function (compiled on first use)."""
    import numba

    @numba.njit(cache=False, nogil=True)
    def sweeps(inflow, length, dt, base, table_q, table_c, table_d, slope_c, slope_d,
               count, outflow, storage, weighting):
        last = table_q.size - 1
        j = 0
        for sweep in range(count):
            old_here = outflow[0]
            before = 0.0
            for n in range(inflow.size - 1):
                inflow_sum = inflow[n] + inflow[n + 1]
                if sweep == 0:
                    mean = 0.5 * inflow_sum + base
                else:
                    old_next = outflow[n + 1]
                    mean = ((old_here + old_next) + inflow_sum) * 0.25 + base
                    old_here = old_next
                if mean < table_q[0]:
                    celerity, diffusion = table_c[0], table_d[0]
                elif mean >= table_q[last]:
                    celerity, diffusion = table_c[last], table_d[last]
                else:
                    if not (table_q[j] <= mean < table_q[j + 1]):
                        low, high = 0, last + 1
                        while low < high:
                            middle = low + ((high - low) >> 1)
                            if mean >= table_q[middle]:
                                low = middle + 1
                            else:
                                high = middle
                        j = low - 1
                    if table_q[j] == mean:
                        celerity, diffusion = table_c[j], table_d[j]
                    else:
                        celerity = slope_c[j] * (mean - table_q[j]) + table_c[j]
                        diffusion = slope_d[j] * (mean - table_q[j]) + table_d[j]
                reynolds = diffusion / length
                k = length / celerity
                shortest = dt / (1.0 + reynolds)
                if shortest > k:
                    k = shortest
                x = (1.0 - reynolds) * 0.5
                bound = (0.5 * dt) / k
                if bound < x:
                    x = bound
                twice_k = 2.0 * k
                twice_kx = twice_k * x
                lag = twice_k - twice_kx
                per_denominator = 1.0 / (lag + dt)
                value = (twice_kx * (inflow[n] - inflow[n + 1]) + dt * inflow_sum) \
                    * per_denominator
                if n > 0 and before != 0.0:
                    value = value - before * ((dt - lag) * per_denominator)
                outflow[n + 1] = value
                before = value
                storage[n] = k
                weighting[n] = x

    return sweeps


def compiled_route_subreach(inflow_m3s, length_m, rating, dt_s, base_flow_m3s, buffers):
    """`flood._route_subreach` with its sweeps compiled (same arguments, same result)."""
    from simulator.consequences import flood

    table_q = rating.discharge_m3s
    both = rating._both
    per_dx = 1.0 / (table_q[1:] - table_q[:-1])  # np.interp's slopes, as it forms them
    celerity, diffusion = both.real.copy(), both.imag.copy()
    outflow = np.zeros(inflow_m3s.size)
    _compiled_sweeps()(inflow_m3s, length_m, dt_s, base_flow_m3s, table_q, celerity,
                       diffusion, (celerity[1:] - celerity[:-1]) * per_dx,
                       (diffusion[1:] - diffusion[:-1]) * per_dx, flood._SWEEPS, outflow,
                       buffers.storage_s, buffers.weighting)
    return flood._returning_created_water(inflow_m3s, outflow, buffers.storage_s,
                                          buffers.weighting, dt_s)


@measurement("flood_kernel")
def flood_kernel(context: Context) -> dict[str, Any]:
    """The routing of recorded breaches of the reference scenario with numpy's sweeps
    (as shipped) and with the same sweeps compiled: ms per breach, ns per step of one
    sweep of one sub-reach, and whether every town's impacts are bit-identical."""
    try:
        import numba
    except ImportError:
        return {"skipped": "numba is not installed (pip install -e .[bench])"}
    from simulator.consequences import flood
    from simulator.engine import prepare

    scenario = prepare(context.scenario())
    seed = scenario.scenario.scenario.seed
    breaching, _, _ = breaching_replications(scenario, seed, 10 if context.quick else 40)
    calls = route_flood_calls(scenario, seed, breaching)
    shipped = flood._route_subreach
    step_sweeps = 0

    def counting(inflow_m3s, *args):
        nonlocal step_sweeps
        step_sweeps += (inflow_m3s.size - 1) * flood._SWEEPS
        return shipped(inflow_m3s, *args)

    def route_all() -> list[Any]:
        return [flood.route_flood(*args, **kwargs) for args, kwargs in calls]

    try:
        flood._route_subreach = counting
        numpy_impacts = route_all()
        flood._route_subreach = compiled_route_subreach
        compiled_impacts = route_all()  # compiles the loop
        best = {"numpy": float("inf"), "compiled": float("inf")}
        for _ in range(context.repeats):
            for name, sweep in (("numpy", shipped), ("compiled", compiled_route_subreach)):
                flood._route_subreach = sweep
                best[name] = min(best[name], best_time_s(route_all, 1))
    finally:
        flood._route_subreach = shipped
    return {
        "numba_version": numba.__version__,
        "breaches": len(calls),
        "bit_identical": numpy_impacts == compiled_impacts,
        "step_sweeps_per_breach": round(step_sweeps / len(calls)),
        "ms_per_breach_numpy": round(best["numpy"] / len(calls) * 1e3, 2),
        "ms_per_breach_compiled": round(best["compiled"] / len(calls) * 1e3, 2),
        "speedup_compiled": round(best["numpy"] / best["compiled"], 2),
        "ns_per_step_sweep_numpy": round(best["numpy"] / step_sweeps * 1e9, 1),
        "ns_per_step_sweep_compiled": round(best["compiled"] / step_sweeps * 1e9, 1),
    }
