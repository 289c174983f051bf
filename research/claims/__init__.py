"""One module per claim in CLAIMS.md. Each exposes a pure function ``test(...)`` (data in, a frozen
result dataclass out) whose ``verdicts`` are computed, never typed in."""
