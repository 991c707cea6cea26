"""Resolve stage, source text: the records of an abstract or a full text, and their cache.

A :class:`SourceText` is what one service gives as the text of one work: PubMed's
abstract (with its structured labels), Europe PMC's abstract, Crossref's JATS abstract, or
Europe PMC's open-access full text, cut into :class:`Section` s. It is cached beside the
metadata, one readable JSON file per (source, identifier), with the URL it came from, when
it was fetched and the SHA-256 of the response, so an editor can see what a quote was
checked against and when.

Two outcomes are stored and kept apart: ``found`` (text, in sections) and ``not_found``
(the service answered, and has no text: a record without an abstract, a full text that is
not open access). A failed fetch is never stored: absent from the cache means "never
fetched", which ``verify --quotes`` reports as such.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .cache import file_name, write_json

TextStatus = Literal["found", "not_found"]

# How a source's text is named to an editor ("found in the PubMed abstract, RESULTS").
SOURCE_LABEL = {"pubmed": "PubMed abstract", "europepmc": "Europe PMC abstract", "crossref": "Crossref abstract",
                "europepmc-fulltext": "Europe PMC full text"}
# The order texts are searched in: the abstract an editor most likely read first.
SOURCE_ORDER = ("pubmed", "europepmc", "crossref", "europepmc-fulltext")


@dataclass(frozen=True)
class Section:
    """A titled part of a text. ``part`` is ``abstract`` or ``body`` (full text, tables too).

    ``label`` is what the source prints (``RESULTS``, ``Conclusion``, a full-text title path
    such as ``Results — Efficacy``); ``category`` is its normalised kind (``background``,
    ``objective``, ``methods``, ``results``, ``conclusions``, or ``""`` when unlabelled), so
    that "CONCLUSION" and "Conclusions" are one thing to the code.
    """

    part: str
    label: str
    category: str
    text: str

    @property
    def title(self) -> str:
        """'Abstract — RESULTS', 'Abstract', or the full-text section title."""
        if self.part == "abstract":
            return f"Abstract — {self.label}" if self.label else "Abstract"
        return self.label or "Body"

    def as_dict(self) -> dict[str, str]:
        return {"part": self.part, "label": self.label, "category": self.category, "text": self.text}


@dataclass(frozen=True)
class SourceText:
    """One source's text of one work, exactly what the text cache stores."""

    identifier: str  # the identifier it was asked by, e.g. 'pmid:38909159'
    source: str  # pubmed | europepmc | crossref | europepmc-fulltext
    status: TextStatus
    fetched_at: str
    url: str = ""
    sha256: str | None = None  # of the HTTP response the text was read from
    sections: tuple[Section, ...] = ()
    reason: str = ""  # for not_found: what the source said

    @property
    def kind(self) -> str:
        return "fulltext" if self.source.endswith("-fulltext") else "abstract"

    @property
    def label(self) -> str:
        return SOURCE_LABEL.get(self.source, self.source)

    @property
    def text_sha256(self) -> str:
        """A hash of the text itself, to tell a changed text from a refetched identical one."""
        joined = "\n".join(f"{s.part}\t{s.label}\t{s.text}" for s in self.sections)
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {"format": 1, "identifier": self.identifier, "source": self.source, "kind": self.kind,
                "status": self.status, "fetched_at": self.fetched_at, "url": self.url, "sha256": self.sha256,
                "text_sha256": self.text_sha256, "reason": self.reason,
                "sections": [s.as_dict() for s in self.sections]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SourceText":
        if data.get("status") not in ("found", "not_found"):
            raise ValueError("a source text is found or not_found; a failure is never stored")
        return cls(identifier=data["identifier"], source=data["source"], status=data["status"],
                   fetched_at=data["fetched_at"], url=data.get("url", ""), sha256=data.get("sha256"),
                   sections=tuple(Section(s["part"], s.get("label", ""), s.get("category", ""), s["text"])
                                  for s in data.get("sections") or ()),
                   reason=data.get("reason", ""))


class TextCache:
    """``<cache>/text/<source>/<kind>/<value>.json``: beside the metadata, never inside its glob."""

    def __init__(self, cache_root: Path):
        self.root = cache_root / "text"

    def path(self, source: str, identifier: str) -> Path:
        kind, _, value = identifier.partition(":")
        return self.root / source / kind / file_name(value)

    def get(self, source: str, identifier: str) -> SourceText | None:
        """The stored text, or None (never fetched, or an unreadable file that will be refetched)."""
        try:
            return SourceText.from_dict(json.loads(self.path(source, identifier).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, text: SourceText) -> Path:
        """Store a found or not-found text atomically; refuses anything else."""
        if text.status not in ("found", "not_found"):
            raise ValueError(f"refusing to cache a source text with status {text.status!r}")
        path = self.path(text.source, text.identifier)
        write_json(path, text.as_dict())
        return path
