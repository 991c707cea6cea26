"""Render stage: the static site from the database, through Jinja2 templates.

Page contexts (``context``) think; templates print. Citations, plots, JSON-LD, fragments,
labels, notices and downloads each have their own module. The only stage that imports jinja2.
"""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .report import WriterReport, load_report, render_report
    from .site import SiteResult, render_site, site_digest

__getattr__ = exports(__name__, {
    "WriterReport": ".report", "load_report": ".report", "render_report": ".report", "SiteResult": ".site",
    "render_site": ".site", "site_digest": ".site"
})

__all__ = ["SiteResult", "WriterReport", "load_report", "render_report", "render_site", "site_digest"]
