"""Render stage: the static site from the database, through Jinja2 templates.

Page contexts (``context``) think; templates print. Citations, plots, JSON-LD, fragments,
labels, notices and downloads each have their own module. The only stage that imports jinja2.
"""

from .report import WriterReport, load_report, render_report
from .site import SiteResult, render_site, site_digest

__all__ = ["SiteResult", "WriterReport", "load_report", "render_report", "render_site", "site_digest"]
