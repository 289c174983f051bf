"""Coverage of every interval method the claims use, simulated at each claim's own sample sizes.

Each case draws data under a known truth (a zero mean or a zero slope), with the sample size and
the dependence its claim actually has, builds the claim's interval with the claim's own function
from ``research.stats`` (or ``research.claims.cycle`` for Hodrick's errors) and counts how often
the interval covers the truth. For a p-value rule the "interval" is the set of values the test
does not reject, so its coverage at the truth is one minus the test's size. A method passes when
its coverage lies within 3 percentage points of the nominal level; the Monte Carlo standard error
of a coverage estimate is sqrt(c (1 - c) / R), 0.67 pp at 90% with R = 2,000.

    .venv/bin/python benchmarks/coverage.py [--reps 2000] [--only C1,C8] [--method NAME] [--seed 2025]

Writes ``benchmarks/results/coverage.csv`` (git-ignored) and prints the markdown table that
``docs/methods.md`` keeps. Slow by design: a full run at the default reps took 29 minutes on 2
cores at load average 15 (``--only C7``: about a minute).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from research import stats

RESULTS = Path(__file__).resolve().parent / "results" / "coverage.csv"
TOLERANCE_PP = 3.0
BOOT_DRAWS = 1000  # bootstrap draws per interval, as in the specification curves


@dataclass(frozen=True)
class Case:
    claim: str
    method: str
    n: str  # the sample size as the claim has it (events, months, days/events)
    dependence: str
    nominal: float
    covers: Callable[[np.random.Generator], bool]  # one replication: does the interval cover the truth?
    reps_share: float = 1.0  # the slowest cases run a fraction of --reps


# -- data-generating processes -----------------------------------------------------------------------

def iid(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Mean-zero draws: normal, Student t(5) (fat tails) or centred chi-square(8) (skewness 1)."""
    if kind == "normal":
        return rng.standard_normal(n)
    if kind == "t5":
        return rng.standard_t(5, n)
    return rng.chisquare(8, n) - 8.0


def ar1(phi: float, n: int, rng: np.random.Generator, burn: int = 200) -> np.ndarray:
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -phi], rng.standard_normal(n + burn))[burn:]


# -- one replication per method ------------------------------------------------------------------------

def boot_covers(kind: str, n: int, level: float) -> Callable[[np.random.Generator], bool]:
    """The claims' stationary bootstrap of a mean (percentile interval, Politis-White block)."""
    def one(rng: np.random.Generator) -> bool:
        ci = stats.stationary_bootstrap(iid(kind, n, rng), reps=BOOT_DRAWS, level=level, seed=rng)
        return ci.lower <= 0 <= ci.upper
    return one


def t_covers(kind: str, n: int, level: float) -> Callable[[np.random.Generator], bool]:
    def one(rng: np.random.Generator) -> bool:
        ci = stats.mean_interval(iid(kind, n, rng), level=level)
        return ci.lower <= 0 <= ci.upper
    return one


def hac_ols_covers(n: int, phi: float, level: float) -> Callable[[np.random.Generator], bool]:
    """C2/C3: a slope with AR(1) regressor and AR(1) errors, Newey-West plug-in lags."""
    index = pd.date_range("1926-07-31", periods=n, freq="ME")

    def one(rng: np.random.Generator) -> bool:
        x = ar1(phi, n, rng)
        y = 0.5 * x + ar1(phi, n, rng)
        fit = stats.ols(pd.Series(y, index, name="y"), pd.Series(x, index, name="x"), level=level)
        lo, hi = fit.conf_int.loc["x"]
        return lo <= 0.5 <= hi
    return one


def recession_dummy(n: int, rng: np.random.Generator, enter: float = 1 / 60, leave: float = 1 / 11) -> np.ndarray:
    """A 0/1 state that persists as NBER recessions do: entered about once in five years, left
    after 11 months on average (about 15% of months in recession)."""
    state, out = 0, np.empty(n)
    for i, u in enumerate(rng.random(n)):
        state = int(u < enter) if state == 0 else int(u >= leave)
        out[i] = state
    return out


def dummy_ols_covers(n: int, phi: float, level: float) -> Callable[[np.random.Generator], bool]:
    """C8's cyclicality: the monthly return (AR(1) errors) on a persistent recession dummy, Newey-West
    plug-in lags, as ``cycle.test`` fits it (true difference 0)."""
    index = pd.date_range("1926-07-31", periods=n, freq="ME")

    def one(rng: np.random.Generator) -> bool:
        dummy = recession_dummy(n, rng)
        if dummy.min() == dummy.max():  # no recession in the sample: the claim refuses such a sample
            dummy[n // 2: n // 2 + 11] = 1.0
        fit = stats.ols(pd.Series(ar1(phi, n, rng), index, name="y"), pd.Series(dummy, index, name="recession"),
                        level=level)
        lo, hi = fit.conf_int.loc["recession"]
        return lo <= 0 <= hi
    return one


def hac_mean_covers(n: int, phi: float, level: float) -> Callable[[np.random.Generator], bool]:
    def one(rng: np.random.Generator) -> bool:
        fit = stats.hac_mean(pd.Series(ar1(phi, n, rng), name="x"), level=level)
        lo, hi = fit.conf_int.loc["mean"]
        return lo <= 0 <= hi
    return one


def event_study_covers(days: int, events: int, horizon: int, level: float,
                       kernel: str = "bartlett") -> Callable[[np.random.Generator], bool]:
    """C5: forward ``horizon``-day sums of iid daily returns on an event dummy, HAC errors:
    Bartlett with lags = horizon (the claim's), or uniform with lags = horizon - 1."""
    lags = horizon if kernel == "bartlett" else horizon - 1
    index = pd.bdate_range("1988-01-04", periods=days - horizon)

    def one(rng: np.random.Generator) -> bool:
        c = np.concatenate([[0.0], np.cumsum(rng.standard_normal(days))])
        fwd = c[horizon + 1:] - c[1:-horizon]  # r_{t+1} + ... + r_{t+horizon}
        dummy = np.zeros(len(fwd))
        dummy[rng.choice(len(fwd), events, replace=False)] = 1.0
        fit = stats.ols(pd.Series(fwd, index, name="fwd"), pd.Series(dummy, index, name="event"),
                        maxlags=lags, level=level, kernel=kernel)
        lo, hi = fit.conf_int.loc["event"]
        return bool(lo <= 0 <= hi)  # a negative uniform-kernel variance gives NaN: not covered
    return one


def random_events(n_days: int, events: int, rng: np.random.Generator) -> np.ndarray:
    """``events`` distinct days drawn at random (sorted positions)."""
    return np.sort(rng.choice(n_days, events, replace=False))


def burst_events(n_days: int, events: int, bursts: int, rng: np.random.Generator,
                 gap: tuple[int, int] = (21, 126), starts: np.ndarray | None = None) -> np.ndarray:
    """``events`` days in ``bursts`` bursts, as 200-day crosses come: each burst starts on a random
    day (or on the given ``starts``, one per burst) and each further event of it follows the one
    before by ``gap`` trading days (uniform; a new cross needs 20 days below the average first).
    Sorted distinct positions."""
    sizes = 1 + rng.multinomial(events - bursts, np.full(bursts, 1 / bursts))
    if starts is None:
        starts = rng.choice(n_days, bursts, replace=False)
    out = []
    for start, size in zip(starts, sizes, strict=True):
        out.extend(start + np.cumsum(np.r_[0, rng.integers(gap[0], gap[1] + 1, size - 1)]))
    return np.unique(np.clip(out, 0, n_days - 1))


def event_study_t_covers(days: int, events: int, horizon: int, level: float,
                         bursts: int = 0) -> Callable[[np.random.Generator], bool]:
    """C5's event dummy (Bartlett, lags = horizon) on the same data as :func:`event_study_covers`,
    the HAC t referred to t(events - 1): the claim's interval until the random-date placebo
    replaced it. Events fall at random, or in ``bursts`` (:func:`burst_events`)."""
    from scipy import stats as sps

    def one(rng: np.random.Generator) -> bool:
        c = np.concatenate([[0.0], np.cumsum(rng.standard_normal(days))])
        y = c[horizon + 1:] - c[1:-horizon]
        pos = burst_events(len(y), events, bursts, rng) if bursts else random_events(len(y), events, rng)
        b, se = stats.event_dummy_hac(stats.event_sample(y, horizon), pos)
        return bool(abs(b) <= sps.t.ppf(0.5 + level / 2, len(pos) - 1) * se)
    return one


def event_study_placebo_covers(days: int, events: int, horizon: int, level: float,
                               bursts: int = 0) -> Callable[[np.random.Generator], bool]:
    """C5 as the claim computes it: :func:`research.claims.technicals.event_study` (the random-date
    placebo over every circular shift) on the same data, events at random or in ``bursts``."""
    from research.claims import technicals

    index = pd.bdate_range("1988-01-04", periods=days - horizon)

    def one(rng: np.random.Generator) -> bool:
        c = np.concatenate([[0.0], np.cumsum(rng.standard_normal(days))])
        y = c[horizon + 1:] - c[1:-horizon]
        pos = burst_events(len(y), events, bursts, rng) if bursts else random_events(len(y), events, rng)
        row = technicals.event_study(pd.DataFrame({horizon: y}, index=index), index[pos], level=level).iloc[0]
        return bool(row["ci_lower"] <= 0 <= row["ci_upper"])  # true excess over all days: 0
    return one


def regime_volatility(n: int, rng: np.random.Generator, calm: float = 0.7, turbulent: float = 2.0,
                      mean_days: int = 400) -> np.ndarray:
    """Daily volatility that switches between a calm and a turbulent level, each spell lasting
    20 days plus an exponential number with mean ``mean_days`` (years of calm, years of turmoil)."""
    vol, i, state = np.empty(n), 0, 0
    while i < n:
        spell = int(rng.exponential(mean_days)) + 20
        vol[i:i + spell] = (calm, turbulent)[state]
        i, state = i + spell, 1 - state
    return vol


def event_study_regimes_covers(days: int, events: int, bursts: int, horizon: int, level: float, method: str,
                               turbulent_share: float, calm: float = 0.7,
                               turbulent: float = 2.0) -> Callable[[np.random.Generator], bool]:
    """C5 under volatility regimes (:func:`regime_volatility`): ``events`` in ``bursts`` bursts
    whose first days fall in turbulent spells with probability ``turbulent_share`` (0.69 makes the
    events' forward variance 1.3 times the average day's, as for the mirror's 200-day crosses;
    breakouts come in calm years, 0.6 times, about 0.26 here). ``method``: "placebo" (the claim's:
    :func:`research.claims.technicals.event_study`), "studentized placebo" (each shift divided by
    the root mean 63-day trailing variance at its days: :func:`research.stats.shift_placebo` with a
    scale; measured, not adopted) or "t(events - 1)" (the HAC dummy of before). ``calm`` =
    ``turbulent`` = 1 is iid returns; ``bursts`` = ``events`` places single events at random."""
    from scipy import stats as sps

    from research.claims import technicals

    index = pd.bdate_range("1988-01-04", periods=days - horizon)

    def one(rng: np.random.Generator) -> bool:
        vol = regime_volatility(days + 1, rng, calm, turbulent)
        r = rng.standard_normal(days + 1) * vol
        r[0] = 0.0
        c = np.cumsum(r)  # c[t]: the level (log) at day t; r[t] the return into day t
        y = c[horizon:days] - c[:days - horizon]  # r[t+1] + ... + r[t+horizon], t = 0 .. n - 1
        n = len(y)
        wild, quiet = np.flatnonzero(vol[:n] > 1), np.flatnonzero(vol[:n] <= 1)
        k = min(rng.binomial(bursts, turbulent_share), len(wild))
        starts = np.r_[rng.choice(wild, k, replace=False), rng.choice(quiet, bursts - k, replace=False)]
        pos = burst_events(n, events, bursts, rng, starts=starts)
        if method == "t(events - 1)":
            b, se = stats.event_dummy_hac(stats.event_sample(y, horizon), pos)
            return bool(abs(b) <= sps.t.ppf(0.5 + level / 2, len(pos) - 1) * se)
        if method == "studentized placebo":  # the volatility of the 63 days up to each day, from 20 on
            scale = pd.Series(np.r_[np.nan, r[1:n]]).rolling(63, min_periods=20).std().bfill().to_numpy()
            got = stats.shift_placebo(stats.shift_sample(y, scale), pos, level)
            return bool(got.lower <= 0 <= got.upper)
        row = technicals.event_study(pd.DataFrame({horizon: y}, index=index), index[pos], level=level).iloc[0]
        return bool(row["ci_lower"] <= 0 <= row["ci_upper"])
    return one


def long_horizon_covers(method: str, months: int, window: int, horizon: int,
                        level: float) -> Callable[[np.random.Generator], bool]:
    """C8: next ``horizon`` months on the trailing ``window`` of iid monthly returns (true slope 0)."""
    from scipy import stats as sps

    from research.claims import cycle

    index = pd.date_range("1926-07-31", periods=months, freq="ME")
    z = sps.norm.ppf(0.5 + level / 2)

    def one(rng: np.random.Generator) -> bool:
        r = pd.Series(rng.standard_normal(months) * 5.0, index)  # log points, monthly
        frame = cycle.trailing_forward(np.expm1(r / 100) * 100, window=window, horizons=(horizon,))
        if method == "hodrick 1B":
            hod = cycle.hodrick_1b(r, frame["trailing"], horizon)
            return abs(hod["slope"]) <= z * hod["se"]
        if method == "newey-west (lags = horizon)":
            fit = stats.ols(frame[f"fwd_{horizon}"], frame["trailing"], maxlags=horizon, level=level)
            lo, hi = fit.conf_int.loc["trailing"]
            return lo <= 0 <= hi
        if method == "hansen-hodrick (uniform, lags = horizon - 1)":
            fit = stats.ols(frame[f"fwd_{horizon}"], frame["trailing"], maxlags=horizon - 1, level=level,
                            kernel="uniform")
            lo, hi = fit.conf_int.loc["trailing"]
            return bool(lo <= 0 <= hi)
        first = cycle.nonoverlapping_regressions(frame, horizon).iloc[0]
        return abs(first["slope"]) <= sps.t.ppf(0.5 + level / 2, first["n"] - 2) * first["se"]
    return one


# -- the cases -------------------------------------------------------------------------------------

def cases() -> Iterator[Case]:
    for n in (5, 6, 7, 8):
        yield Case("C1", "stationary bootstrap, percentile", str(n), "iid normal", 0.90, boot_covers("normal", n, 0.90))
    for n in (5, 6, 7, 8):
        yield Case("C1", "Student t (mean_interval)", str(n), "iid normal", 0.90, t_covers("normal", n, 0.90))
    for n in (5, 8):
        yield Case("C1", "Student t (mean_interval)", str(n), "iid chi2(8), skew 1", 0.90, t_covers("chi2", n, 0.90))
    for n in (14, 30, 99):
        yield Case("C6", "stationary bootstrap, percentile", str(n), "iid t(5)", 0.90, boot_covers("t5", n, 0.90))
        yield Case("C6", "Student t (mean_interval)", str(n), "iid t(5)", 0.90, t_covers("t5", n, 0.90))
    yield Case("C6", "stationary bootstrap, percentile", "14", "iid chi2(8), skew 1", 0.90, boot_covers("chi2", 14, 0.90))
    yield Case("C6", "Student t (mean_interval)", "14", "iid chi2(8), skew 1", 0.90, t_covers("chi2", 14, 0.90))
    yield Case("C7", "stationary bootstrap, percentile", "98", "iid normal", 0.90, boot_covers("normal", 98, 0.90))
    yield Case("C7", "Student t (mean_interval)", "98", "iid normal", 0.90, t_covers("normal", 98, 0.90))
    for n in (450, 1200):
        yield Case("C2/C3", "OLS slope, HAC (Newey-West plug-in lags)", str(n), "x, u AR(1) 0.3", 0.95,
                   hac_ols_covers(n, 0.3, 0.95))
    for n in (200, 1188):
        yield Case("C8 states", "hac_mean (Newey-West plug-in lags)", str(n), "AR(1) 0.2", 0.95,
                   hac_mean_covers(n, 0.2, 0.95))
    for events in (19, 69):
        for h in (126, 252):
            yield Case("C5", "event dummy, HAC lags = horizon", f"9000 days / {events} events",
                       f"overlapping {h}-day sums", 0.90, event_study_covers(9000, events, h, 0.90), 0.25)
            yield Case("C5", "event dummy, uniform HAC lags = horizon - 1", f"9000 days / {events} events",
                       f"overlapping {h}-day sums", 0.90, event_study_covers(9000, events, h, 0.90, "uniform"), 0.25)
            yield Case("C5", "event dummy, HAC lags = horizon, t(events - 1)", f"9000 days / {events} events",
                       f"overlapping {h}-day sums", 0.90, event_study_t_covers(9000, events, h, 0.90))
    for h in (36, 60):
        for method in ("hodrick 1B", "newey-west (lags = horizon)",
                       "hansen-hodrick (uniform, lags = horizon - 1)", "non-overlapping t"):
            yield Case("C8", method, f"1188 months (~{(1188 - 120 - h) // h} independent)",
                       f"120m trailing on {h}m forward, iid", 0.95,
                       long_horizon_covers(method, 1188, 120, h, 0.95), 0.5)
    # added later, at the end so that every case above keeps its seeded stream ([seed, position])
    yield Case("C1", "Student t (mean_interval)", "9", "iid normal", 0.90, t_covers("normal", 9, 0.90))
    yield Case("C1", "Student t (mean_interval)", "9", "iid chi2(8), skew 1", 0.90, t_covers("chi2", 9, 0.90))
    for n in (38, 71):  # C7's curve: first years 1987 and 1954 to 2024 (the report has 98, above)
        yield Case("C7", "stationary bootstrap, percentile", str(n), "iid normal", 0.90, boot_covers("normal", n, 0.90))
        yield Case("C7", "Student t (mean_interval)", str(n), "iid normal", 0.90, t_covers("normal", n, 0.90))
    for phi in (0.0, 0.2):
        yield Case("C8 cyclicality", "OLS on a recession dummy, HAC (Newey-West plug-in lags)", "1188",
                   f"dummy persisting ~11 months; errors AR(1) {phi:g}", 0.95, dummy_ols_covers(1188, phi, 0.95))
    # C5 on bunched events, as 200-day crosses come (Russell 2000: 36 crosses in 17 bursts whose
    # 12-month windows do not touch): the t(events - 1) interval, then the random-date placebo
    for h in (126, 252):
        yield Case("C5", "event dummy, HAC lags = horizon, t(events - 1)", "9000 days / 36 events in 17 bursts",
                   f"overlapping {h}-day sums", 0.90, event_study_t_covers(9000, 36, h, 0.90, bursts=17))
    for events, bursts in ((19, 0), (69, 0), (36, 17), (69, 39)):
        for h in (126, 252):
            n = f"9000 days / {events} events" + (f" in {bursts} bursts" if bursts else "")
            yield Case("C5", "random-date placebo (every circular shift)", n, f"overlapping {h}-day sums", 0.90,
                       event_study_placebo_covers(9000, events, h, 0.90, bursts))
    # C5 under volatility regimes: bursts in turbulent years as often as the mirror's crosses (0.69),
    # always (1.0), in calm years as the breakouts (0.2), and without regimes' pull (0.5)
    for share in (0.69, 1.0, 0.2, 0.5):
        for method in ("studentized placebo", "placebo", "t(events - 1)"):
            if method == "t(events - 1)" and share != 0.69:
                continue
            for h in (126, 252):
                yield Case("C5", f"{method}, volatility regimes", "9000 days / 36 events in 17 bursts",
                           f"{h}-day sums; calm 0.7 / turbulent 2.0; bursts start turbulent {share:.0%}", 0.90,
                           event_study_regimes_covers(9000, 36, 17, h, 0.90, method, share))
    for events, bursts in ((19, 19), (36, 17)):  # without regimes: iid returns, as in the rows above
        for h in (126, 252):
            yield Case("C5", "studentized placebo", f"9000 days / {events} events"
                       + (f" in {bursts} bursts" if bursts < events else ""), f"overlapping {h}-day sums", 0.90,
                       event_study_regimes_covers(9000, events, bursts, h, 0.90, "studentized placebo", 0.0,
                                                  1.0, 1.0))

def run_case(job: tuple[int, int, int]) -> dict:
    """One case (by its position in :func:`cases`), ``reps`` replications, its own seeded stream."""
    i, reps, seed = job
    case = list(cases())[i]
    r = max(50, int(reps * case.reps_share))
    rng = np.random.default_rng([seed, i])
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arch's block length on tiny samples
        hits = sum(case.covers(rng) for _ in range(r))
    cov = hits / r
    row = {"case": i, "claim": case.claim, "method": case.method, "n": case.n, "dependence": case.dependence,
           "nominal": case.nominal, "coverage": cov, "replications": r,
           "mc_se": math.sqrt(max(cov * (1 - cov), 1e-12) / r),
           "within_3pp": abs(cov - case.nominal) * 100 <= TOLERANCE_PP,
           "seconds": round(time.perf_counter() - t0, 1)}
    print(f"{case.claim:<9} {case.method:<42} n={case.n:<32} {case.dependence:<34} "
          f"{cov:.3f} ± {row['mc_se']:.3f} ({r} reps, {row['seconds']:.0f} s)", flush=True)
    return row


def run(reps: int, only: set[str] | None, seed: int, jobs: int, method: str = "") -> pd.DataFrame:
    todo = [(i, reps, seed) for i, case in enumerate(cases())
            if (not only or any(case.claim.startswith(c) for c in only))
            and (not method or case.method == method)]
    if not todo:
        raise SystemExit(f"no case matches --only {sorted(only or [])} --method {method!r}; methods: "
                         + "; ".join(sorted({c.method for c in cases()})))
    # slowest first, so the pool's two workers finish together; fork keeps the closures
    todo.sort(key=lambda job: list(cases())[job[0]].reps_share)
    if jobs > 1:
        with mp.get_context("fork").Pool(jobs) as pool:
            rows = pool.map(run_case, todo, chunksize=1)
    else:
        rows = [run_case(job) for job in todo]
    return pd.DataFrame(rows).sort_values("case").drop(columns="case").reset_index(drop=True)


def markdown(table: pd.DataFrame) -> str:
    lines = ["| claim | method | n | dependence | nominal | coverage | reps | MC s.e. | within ±3 pp |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.claim} | {r.method} | {r.n} | {r.dependence} | {r.nominal:.0%} | "
                     f"{r.coverage:.1%} | {r.replications} | {r.mc_se * 100:.2f} pp | "
                     f"{'yes' if r.within_3pp else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000, help="replications per case")
    parser.add_argument("--only", default="", help="comma-separated claims, e.g. C1,C8")
    parser.add_argument("--method", default="", help="one method, by its exact name in the table")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    only = {c.strip() for c in args.only.split(",") if c.strip()} or None
    t0 = time.perf_counter()
    table = run(args.reps, only, args.seed, args.jobs, args.method)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(RESULTS, index=False)
    print(f"\n{markdown(table)}\n\nwrote {RESULTS} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
