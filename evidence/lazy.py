"""Lazy package exports: a stage's public names, imported on first use.

Every ``evidence`` command is a fresh process, and importing one module of a stage runs the
stage's ``__init__``. If that ``__init__`` imported all of the stage's modules, ``evidence --help``
would pay for pandas, DuckDB, statsmodels and Jinja2. So each ``__init__`` names where its public
names live and this module imports them when they are first asked for (PEP 562).
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any, Callable, Mapping


class _Package(ModuleType):
    """A stage package whose public name may share its submodule's name (``workflow.accept``, the function,
    in ``workflow/accept.py``). Importing the submodule makes the import system bind it on the package;
    an eager ``from .accept import accept`` overrode that, and so does this: the name keeps naming the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if (isinstance(value, ModuleType) and value.__name__ == f"{self.__name__}.{name}"
                and name in self.__dict__.get("_lazy_exports", ())):
            return
        super().__setattr__(name, value)


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each public name to its submodule
    (relative, e.g. ``".report"``). A name not listed may be a submodule, as with an eager import."""
    module = sys.modules[package]
    module._lazy_exports = frozenset(where)
    module.__class__ = _Package

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
