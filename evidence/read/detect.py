"""Read stage: which reference-manager format a file is, from its content, never by trial.

Trying readers in turn is how a PubMed ``.nbib`` export once became a junk RIS entry with
exit 0: the two formats share their ``XX  - value`` look. So the file's first meaningful
line decides: ``PMID-`` is PubMed MEDLINE, ``TY  -`` is RIS, ``[`` or ``{`` is CSL-JSON, and
a file whose entries start with ``@type{`` is BibTeX. The extension is not consulted (a
``.txt`` RIS export is common). Anything else, a file that is not UTF-8, or an empty file
is refused with its line, and the readers refuse a malformed record the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ..errors import Problem
from .bibimport import read_bib
from .candidate import Candidate
from .csljson import read_csljson
from .nbib import looks_like_nbib, read_nbib
from .ris import read_ris
from ..files import file_problem

Reader = Callable[[str, str], tuple[list[Candidate], list[Problem]]]
READERS: dict[str, Reader] = {"nbib": read_nbib, "ris": read_ris, "csljson": read_csljson, "bibtex": read_bib}
FORMAT_NAMES = {"nbib": "PubMed MEDLINE (.nbib)", "ris": "RIS", "csljson": "CSL-JSON", "bibtex": "BibTeX"}
_HINT = "export as RIS (.ris), PubMed MEDLINE (.nbib), CSL-JSON (.json) or BibTeX (.bib)"


def detect(text: str, origin: str) -> tuple[str | None, Problem | None]:
    """The format's name, or a problem naming the line that decided it is none of them."""
    lines = text.lstrip("\ufeff").splitlines()
    number, first = next(((i, line.lstrip("\ufeff")) for i, line in enumerate(lines, start=1) if line.strip()),
                         (None, ""))
    if number is None:
        return None, Problem(origin, None, "empty-file", "the file is empty", _HINT)
    if looks_like_nbib(first):
        return "nbib", None
    if re.match(r"^TY  -", first):
        return "ris", None
    if first.lstrip()[:1] in ("[", "{"):
        return "csljson", None
    if re.search(r"^\s*@[A-Za-z]+\s*[{(]", text, re.M):
        return "bibtex", None
    tag = re.match(r"^([A-Z][A-Z0-9]{1,3}) {0,2}-", first)
    if tag:
        return None, Problem(origin, number, "unknown-format",
                             f"tagged lines, but the first is '{tag.group(1)}': a RIS record starts with 'TY  - ', "
                             "a PubMed MEDLINE record with 'PMID- '", "the file is cut or damaged; " + _HINT)
    return None, Problem(origin, number, "unknown-format",
                         f"not RIS, PubMed MEDLINE, CSL-JSON or BibTeX (starts '{first.strip()[:40]}')", _HINT)


def decode_text(raw: bytes, origin: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without a byte-order mark), or a problem at the first line that is not."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, Problem(origin, line, "not-utf8", f"byte 0x{raw[exc.start]:02x} is not UTF-8",
                             "save or export the file as UTF-8 (the encoding is not guessed)")


def read_references(path: Path, origin: str | None = None) -> tuple[list[Candidate], list[Problem], str]:
    """Candidates, problems and the format name ('unknown' when refused before reading)."""
    origin = origin or path.name
    refused = file_problem(path, None, origin)  # a FIFO or a folder must not block or crash the import
    if refused:
        return [], [refused], "unknown"
    text, problem = decode_text(path.read_bytes(), origin)
    if text is None:
        return [], [problem] if problem else [], "unknown"
    fmt, problem = detect(text, origin)
    if fmt is None:
        return [], [problem] if problem else [], "unknown"
    candidates, problems = READERS[fmt](text, origin)
    return candidates, problems, fmt
