"""Render stage, citations: citeproc-py's pure lookups on a CSL style, remembered.

citeproc-py formats an entry by walking the style's XML tree, and on the way asks the same
questions of the same elements for every entry: which macro has this name, which ``cs:layout``
encloses this element, which child is ``cs:label``, which locale option is set, does this
group call a variable, what is the root of this tree, whose formatter applies. Each answer
depends on the style tree alone, which does not change while entries are formatted, so each
is computed once per (element, question) and handed out again: with the other savings in
citations.py, 1.39 -> 0.74 ms per entry and style, the output byte for byte citeproc-py's own
(tests/test_citation_speed.py compares the two on the shipped and real exported libraries).

Two things make the memo safe:

- The keys hold the lxml elements themselves, so each element keeps its one Python proxy for
  as long as it is a key (lxml reuses a live proxy; a fresh proxy could otherwise reuse an
  id). ``clear`` lets them go; the formatter calls it when it loads new styles.
- citeproc-py's one change to a style tree while formatting is ``Names.process`` inserting a
  ``Name()`` when a ``cs:names`` has no ``cs:name``. That element has the bare tag ``Name``,
  outside the CSL namespace, so no ``cs:``-qualified lookup (all of citeproc-py's are) can
  see it; should an element of the CSL namespace ever be inserted, every memo is dropped.

The lookups replaced are listed in ``_LOOKUPS``; ``installed()`` tells whether they are in
place and ``uninstall()`` puts citeproc-py's own methods back (the tests compare outputs).
"""

from __future__ import annotations

from typing import Any, Callable

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
_MEMO: dict[tuple[object, ...], Any] = {}
_ORIGINALS: dict[str, Callable[..., Any] | None] = {}  # citeproc-py's own, by 'Class.method'


class _Raised:
    """A remembered IndexError: the lookup found nothing (citeproc-py then tries the next locale)."""


_RAISED = _Raised()


def clear() -> None:
    _MEMO.clear()


def size() -> int:
    return len(_MEMO)


def _xpath_search(self: Any, expression: str) -> list[object]:
    key = (self, "xpath", expression)
    found = _MEMO.get(key)
    if found is None:
        found = _MEMO[key] = self.xpath(expression, namespaces=self.nsmap)
    return list(found)  # a fresh list, as citeproc-py's own: callers may change it


def _child(self: Any, name: str) -> object:
    """``element.terms``, ``.label``, ``.name``...: the first child of that CSL tag (or None)."""
    key = (self, "child", name)
    try:
        return _MEMO[key]
    except KeyError:
        found = _MEMO[key] = self.find("cs:" + name, self.nsmap)
        return found


def _get_root(self: Any) -> object:
    key = (self, "root")
    try:
        return _MEMO[key]
    except KeyError:
        root = _MEMO[key] = self.getroottree().getroot()
        return root


def _get_formatter(self: Any) -> object:
    """The formatter of the style this element belongs to (a locale's: its style's), read when asked."""
    key = (self, "formatter-owner")
    try:
        owner = _MEMO[key]
    except KeyError:
        from citeproc import model

        root = _get_root(self)
        owner = _MEMO[key] = root.style if isinstance(root, model.Locale) else root
    return owner.formatter


def _locale_option(self: Any, name: str) -> object:
    key = (self, "locale-option", name)
    try:
        value = _MEMO[key]
    except KeyError:
        try:
            value = _ORIGINALS["Locale.get_option"](self, name)
        except IndexError:
            value = _RAISED
        _MEMO[key] = value
    if value is _RAISED:
        raise IndexError(name)
    return value


def _calls_variable(original: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def calls_variable(self: Any) -> bool:
        key = (self, "calls-variable", original)
        try:
            return _MEMO[key]
        except KeyError:
            value = _MEMO[key] = original(self)
            return value
    return calls_variable


def _insert(self: Any, index: int, element: Any) -> None:
    from lxml import etree

    if str(element.tag).startswith(_CSL_NS):
        clear()  # a change a remembered lookup could see: forget them all
    etree.ElementBase.insert(self, index, element)


def _lookups() -> dict[str, tuple[type, str, Callable[..., Any]]]:
    from citeproc import model

    return {
        "CitationStylesElement.xpath_search": (model.CitationStylesElement, "xpath_search", _xpath_search),
        "SomewhatObjectifiedElement.__getattr__": (model.SomewhatObjectifiedElement, "__getattr__", _child),
        "CitationStylesElement.get_root": (model.CitationStylesElement, "get_root", _get_root),
        "CitationStylesElement.get_formatter": (model.CitationStylesElement, "get_formatter", _get_formatter),
        "Locale.get_option": (model.Locale, "get_option", _locale_option),
        "Parent.calls_variable": (model.Parent, "calls_variable", _calls_variable(model.Parent.calls_variable)),
        "Text.calls_variable": (model.Text, "calls_variable", _calls_variable(model.Text.calls_variable)),
        "CitationStylesElement.insert": (model.CitationStylesElement, "insert", _insert),
    }


def install() -> None:
    """Replace citeproc-py's lookups by remembered ones (once per process)."""
    if _ORIGINALS:
        return
    lookups = _lookups()
    for label, (cls, name, _) in lookups.items():
        _ORIGINALS[label] = cls.__dict__.get(name)  # None: inherited from lxml (insert)
    for cls, name, replacement in lookups.values():
        setattr(cls, name, replacement)


def installed() -> bool:
    return bool(_ORIGINALS)


def uninstall() -> None:
    """citeproc-py's own lookups again (for the tests that compare the two)."""
    lookups = _lookups() if _ORIGINALS else {}
    for label, original in _ORIGINALS.items():
        cls, name, _ = lookups[label]
        if original is None:
            delattr(cls, name)
        else:
            setattr(cls, name, original)
    _ORIGINALS.clear()
    clear()
