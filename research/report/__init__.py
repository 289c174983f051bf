"""HTML for readers: each report page (:mod:`research.report.page`) and the scorecard
``index.html`` (:mod:`research.report.scorecard`), both written as Jinja2 templates in
``templates/`` (:mod:`research.report.templating`).

Kept empty on purpose: ``research.verdict`` renders its box through ``templating`` and the pages
import ``research.verdict``, so importing this package must not import the pages.
"""
