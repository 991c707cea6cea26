"""CLI: the ``evidence`` command, thin click commands over :mod:`evidence.pipeline` and the workflow.

One module per command group; they print and choose exit codes, and never decide anything
the library does not (library errors become messages here, in one place).
"""

from .commands import main

__all__ = ["main"]
