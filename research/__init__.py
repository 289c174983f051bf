"""research: put market commentary on US small caps to the test on real data.

Importing the package has no side effects: no logging set-up, no folders created,
no environment read. Settings are read by :func:`research.config.settings` when called.
"""

__version__ = "0.1.0"
