"""A scenario prepared once for many replications: `prepare(scenario)`.

Everything that does not depend on the seed is worked out here, explicitly and once:
routes and triggers (`plan`), the uncertain inputs with their samplers and named
streams (`inputs`), and what the consequence models need (river reaches and towns, the
storage curve, the grid's prepared network and its baseline). The caller keeps the
`PreparedScenario` and passes it to every replication; nothing is cached behind its
back. Monte Carlo workers prepare the scenario they are sent once per process
(`montecarlo.batch.WorkerScenarios`), since the grid's solved states stay warm there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scenario.schema import Scenario
from .inputs import InputTable
from .plan import Plan, make_plan

if TYPE_CHECKING:  # the consequence models load scipy: only when a scenario is prepared
    from .consequences_link import ConsequenceModels

__all__ = ["PreparedScenario", "prepare", "prepare_reference"]


@dataclass(frozen=True)
class PreparedScenario:
    """A validated scenario with its plan, inputs and consequence models compiled."""

    scenario: Scenario
    plan: Plan
    inputs: InputTable
    consequences: ConsequenceModels | None  # None: prepared for the engine alone


def prepare(scenario: Scenario | PreparedScenario, *, consequences: bool = True,
            fidelity: str = "fast") -> PreparedScenario:
    """Compile `scenario` for `simulate` (a prepared scenario is returned as it is).

    With ``consequences=False`` the flood and grid models are left out (the grid's
    baseline costs a few linear programs), for callers that only need the engine's
    outcomes, such as the branch forecasts of a tabletop exercise. `fidelity` chooses
    the flood routing of a breach: ``fast`` (the default) or ``reference`` (the
    shallow-water solver, `consequences_link.FLOOD_ROUTING`).
    """
    from .consequences_link import prepare_consequences

    if isinstance(scenario, PreparedScenario):
        if consequences and scenario.consequences is None:
            raise ValueError("this scenario was prepared without its consequence models; "
                             "prepare it again with consequences=True")
        return scenario
    return PreparedScenario(scenario=scenario, plan=make_plan(scenario),
                            inputs=InputTable(scenario),
                            consequences=prepare_consequences(scenario, fidelity)
                            if consequences else None)


def prepare_reference(scenario: Scenario | PreparedScenario) -> PreparedScenario:
    """`prepare` with the reference flood routing: the preparation a Monte Carlo run of
    ``infrasim run --fidelity reference`` names for its workers."""
    return prepare(scenario, fidelity="reference")
