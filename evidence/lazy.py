"""Lazy package exports: a stage's public names, imported on first use.

Every ``evidence`` command is a fresh process, and importing one module of a stage runs the
stage's ``__init__``. If that ``__init__`` imported all of the stage's modules, ``evidence --help``
would pay for pandas, DuckDB, statsmodels and Jinja2. So each ``__init__`` names where its public
names live and this module imports them when they are first asked for (PEP 562).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Mapping


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each public name to its submodule
    (relative, e.g. ``".report"``). A name not listed may be a submodule, as with an eager import."""

    def __getattr__(name: str) -> Any:
        namespace = import_module(package).__dict__
        if name in where:
            value = getattr(import_module(where[name], package), name)
        else:
            try:
                value = import_module(f".{name}", package)
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        namespace[name] = value
        return value

    return __getattr__
