"""Render stage: the static site from the database, through Jinja2 templates.

Page contexts (``context``) think; templates print. Citations, plots, JSON-LD, fragments,
labels, notices and downloads each have their own module. The only stage that imports jinja2.
"""

from .site import SiteResult, render_site, site_digest

__all__ = ["SiteResult", "render_site", "site_digest"]
