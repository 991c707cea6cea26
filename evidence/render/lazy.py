"""Render stage, pages made when they are read: a hundred thousand study pages are rendered one after
another without all their contexts in memory at once (the rows they are made from, already linked, are)."""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar, overload

T = TypeVar("T")
Row = dict[str, object]


class LazyPages(Generic[T]):
    """One page per row, built each time it is read and not kept."""

    def __init__(self, rows: list[Row], make: Callable[[Row], T]):
        self.rows, self._make = rows, make

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._make(r) for r in self.rows[index]]
        return self._make(self.rows[index])

    def __iter__(self) -> Iterator[T]:
        return (self._make(r) for r in self.rows)
