"""Resolve stage, the shape of each source's answer, checked before anything is parsed or cached.

A service (or a proxy, a mirror, a test server) can answer 200 with JSON of another shape:
an ``author`` that is a string, ``updated-by`` entries that are not objects, a record with
every field missing. Parsing such an answer used to crash ``resolve`` with a traceback, or
stored an empty "found" record over a good cached one. So each answer is checked against a
small schema (types *and* presence) first; one that fails is a ``failed`` fetch, which the
cache never lets replace a good answer.

A schema is a Python type (or tuple of types), a ``[item]`` list, or a ``{key: schema}``
dict whose keys are optional unless wrapped in :class:`Required`. Unknown keys are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Required:
    shape: Any


def shape_error(value: Any, shape: Any, where: str = "") -> str | None:
    """The first place where ``value`` does not fit ``shape``, as 'author[0].family: expected text', else None."""
    if isinstance(shape, Required):
        shape = shape.shape
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return f"{where or 'answer'}: expected an object, got {type(value).__name__}"
        for key, sub in shape.items():
            if key not in value or value[key] is None:
                if isinstance(sub, Required):
                    return f"{where + '.' if where else ''}{key}: missing"
                continue
            error = shape_error(value[key], sub, f"{where + '.' if where else ''}{key}")
            if error:
                return error
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where}: expected a list, got {type(value).__name__}"
        for i, item in enumerate(value[:10_000]):
            if item is None:
                continue
            error = shape_error(item, shape[0], f"{where}[{i}]")
            if error:
                return error
        return None
    kinds = shape if isinstance(shape, tuple) else (shape,)
    if isinstance(value, bool) and bool not in kinds:
        return f"{where}: expected {'/'.join(k.__name__ for k in kinds)}, got bool"
    if not isinstance(value, kinds):
        return f"{where}: expected {'/'.join(k.__name__ for k in kinds)}, got {type(value).__name__}"
    return None


NUM = (int, float)
TEXT_OR_NUM = (str, int, float)
DATE = {"date-parts": [[(int, str, type(None))]]}
_UPDATE = {"DOI": str, "type": str, "label": str, "updated": DATE}

CROSSREF_WORK = {
    "DOI": Required(str), "title": Required([str]), "subtitle": [str], "author": [{"family": str, "given": str, "name": str}],
    "updated-by": [_UPDATE], "update-to": [_UPDATE], "issued": DATE, "published-print": DATE,
    "published-online": DATE, "published": DATE, "container-title": [str], "short-container-title": [str],
    "volume": str, "issue": str, "page": str, "type": str, "URL": str, "abstract": str,
}
CROSSREF_SEARCH_ITEM = {**CROSSREF_WORK, "score": NUM}
CROSSREF_UPDATE_ITEM = {"DOI": str, "update-to": [_UPDATE]}

EUROPEPMC_RESULT = {
    "id": TEXT_OR_NUM, "source": str, "doi": str, "pmid": TEXT_OR_NUM, "pmcid": str, "title": str, "authorString": str,
    "authorList": {"author": [{"lastName": str, "firstName": str, "initials": str, "collectiveName": str,
                               "fullName": str}]},
    "journalInfo": {"journal": {"title": str, "isoabbreviation": str, "medlineAbbreviation": str},
                    "volume": TEXT_OR_NUM, "issue": TEXT_OR_NUM, "yearOfPublication": TEXT_OR_NUM},
    "pubYear": TEXT_OR_NUM, "pubTypeList": {"pubType": (list, str)},
    "pubType": str, "commentCorrectionList": {"commentCorrection": [{"type": str, "reference": str, "id": TEXT_OR_NUM,
                                                                    "source": str}]},
    "pageInfo": TEXT_OR_NUM, "isOpenAccess": str, "firstPublicationDate": str, "journalTitle": str,
    "journalVolume": TEXT_OR_NUM,
}
IDCONV_RECORD = {"doi": str, "pmid": TEXT_OR_NUM, "pmcid": str}
