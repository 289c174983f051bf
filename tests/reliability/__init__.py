"""The reliability corpus: one test per bad input or fault, in one readable catalogue.

Every case feeds one fault and checks two things:

1. **a clear error**: the package's own error type (or a documented exit code) whose message says
   what failed, which file, dataset, parameter or report, and what to do; or, for inputs that
   are merely awkward (sentinels, ``.`` values, a lower-case header), the right values silently;
2. **nothing lost or half-written**: the last good report (HTML, executed notebook, state file)
   and the last good raw file and parquet cache entry hash the same before and after, and no
   temporary file (``*.tmp``, ``.tmp-*``, ``.run-*``) is left behind.

``test_data_faults.py`` holds the data layer's cases for files coming in, ``test_data_store_faults.py``
those for the files it keeps (manifest, cache metadata), the mirror's state, oversized input and
impossible values; ``test_runner_faults.py`` the runner's
(time limits, state files, the lock, a full disk at each write, text printed to terminals) and
``test_config_faults.py`` the settings, registry, parameter-value and `research lab` access cases.
Some faults are also tested elsewhere in ``tests/``; they have their own explicit case here so
that this folder reads as the list of everything that can go wrong. Nothing here sleeps: a
stalled server waits on an event released at teardown, a running notebook is detected by the
marker file it writes. The exceptions are the two time-limit cases, which wait out a 15 s limit
(short limits would be stopping kernels before their first cell on a loaded machine).
"""
