"""Planning: which reports a run selects, with which validated parameters, and how fresh each is.

Everything here happens before the run lock is taken and before any kernel starts; a bad
registry or parameter raises one :class:`~research.errors.ParameterError` listing every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.errors import ParameterError, ResearchError
from research.runner.registry import (
    Registry,
    Report,
    declared_parameters,
    parse_assignment,
    read_notebook,
    validate_parameters,
)
from research.runner.state import (
    Decision,
    InputSha,
    ModuleSha,
    current_input_sha256,
    current_module_sha256,
    decide,
    notebook_hash,
    parameters_hash,
    read_state,
    render_hash,
)


@dataclass(frozen=True)
class Planned:
    report: Report
    parameters: dict[str, Any]  # validated, as passed to papermill
    components: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)  # the notebook's declared defaults


def plan(
    registry: Registry,
    *,
    only: Iterable[str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    package_sha: str | None = None,
) -> list[Planned]:
    """Select reports and validate all their parameters; raise one ParameterError for all problems."""
    selected = registry.select(only)
    overrides = dict(overrides or {})
    names = {r.name for r in selected}
    for name in overrides:
        if name not in registry.reports:
            raise ParameterError(f"-p {name} ...: no report {name!r} in {registry.path}; "
                                 f"reports: {', '.join(registry.reports)}")
        if name not in names:
            raise ParameterError(f"-p {name} ...: report {name!r} is not in this run's selection; "
                                 f"add it (research run {name} ...) or drop the -p")
    package_sha = package_sha or render_hash()
    planned: list[Planned] = []
    problems: list[str] = []
    for report in selected:
        try:
            nb = read_notebook(report.notebook)
            declared = declared_parameters(nb, where=str(report.notebook))
            params = validate_parameters(report, {**report.parameters, **overrides.get(report.name, {})}, declared)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        components = {"notebook": notebook_hash(nb), "parameters": parameters_hash(params), "render": package_sha}
        planned.append(Planned(report, params, components, {n: d.default for n, d in declared.items()}))
    if problems:
        raise ParameterError("\n".join(problems) + f"\nNo report was run. Fix the above in "
                             f"{registry.path} (or the -p options), then run again.")
    return planned


def assess(
    registry: Registry,
    reports_dir: Path,
    *,
    names: Iterable[str] | None = None,
    input_sha: InputSha = current_input_sha256,
    module_sha: ModuleSha = current_module_sha256,
    package_sha: str | None = None,
) -> list[tuple[Report, Decision, dict[str, Any] | None]]:
    """Every report's freshness (or the ``names`` ones') for ``research list`` and the index;
    never raises for one report.

    ``package_sha`` is the render code's hash (:func:`~research.runner.state.render_hash`)."""
    package_sha = package_sha or render_hash()
    out = []
    for report in (registry.reports.values() if names is None else [registry.reports[n] for n in names]):
        state = read_state(reports_dir, report.name)
        try:
            (p,) = plan(registry, only=[report.name], package_sha=package_sha)
            decision = decide(report.name, p.components, state, reports_dir=reports_dir, input_sha=input_sha,
                              module_sha=module_sha)
        except ResearchError as exc:
            first = str(exc).strip().splitlines()[0]
            decision = Decision(report.name, True, (f"invalid: {first}",), "stale")
        out.append((report, decision, state))
    return out


def override_map(pairs: Iterable[tuple[str, str]] | None) -> dict[str, dict[str, Any]]:
    """``[("easing", "horizon=12"), ...]`` from ``-p NAME KEY=VALUE`` -> ``{"easing": {"horizon": 12}}``."""
    out: dict[str, dict[str, Any]] = {}
    for name, assignment in pairs or []:
        key, value = parse_assignment(assignment)
        out.setdefault(name, {})[key] = value
    return out
