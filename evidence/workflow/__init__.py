"""Workflow: the editor's commands that drive the pipeline (serve, and the article workflow).

It sits above :mod:`evidence.pipeline` because it calls it (the preview rebuilds on change).
"""

from .serve import HOST, Preview

__all__ = ["HOST", "Preview"]
