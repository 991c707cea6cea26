"""Evidence toolkit: an evidence database and citation checker for health editors.

The public library API lives in :mod:`evidence.pipeline`; the CLI is a thin layer over it.
"""

__version__ = "0.1.0"
