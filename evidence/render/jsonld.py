"""Render stage, machine-readable pages: schema.org JSON-LD for article and study pages.

Studies are ``ScholarlyArticle`` records (identifiers as ``PropertyValue`` and ``sameAs``
links); each checked statement is a ``ClaimReview`` of a ``Claim`` that appears in the
article, rated on the usual 1 (false) to 5 (true) scale with the verdict as the rating's
name. "Not checkable" statements carry the name only: a number would claim a judgement we
did not make. Templates serialise these dicts with ``tojson`` (sorted keys, HTML-safe).
"""

from __future__ import annotations

from typing import Mapping, Sequence

CONTEXT = "https://schema.org"
RATING = {"supported": 5, "partly_supported": 3, "overstated": 2, "unsupported": 2, "contradicted": 1}


def _person(raw: str) -> dict[str, str]:
    if raw.strip().lower() == "others":
        return {"@type": "Person", "name": "et al."}
    family, _, given = (p.strip() for p in raw.partition(","))
    person = {"@type": "Person", "name": f"{given} {family}".strip(), "familyName": family}
    if given:
        person["givenName"] = given
    return person


def identifier_links(row: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """(kind, value, URL) for each identifier the record has, in a fixed order."""
    out = []
    if row.get("doi"):
        out.append(("DOI", str(row["doi"]), f"https://doi.org/{row['doi']}"))
    if row.get("pmid"):
        out.append(("PMID", str(row["pmid"]), f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/"))
    if row.get("pmcid"):
        out.append(("PMCID", str(row["pmcid"]), f"https://pmc.ncbi.nlm.nih.gov/articles/{row['pmcid']}/"))
    return out


def scholarly_article(row: Mapping[str, object], page_url: str) -> dict[str, object]:
    """A bibliography row (with its identifiers) as a schema.org ScholarlyArticle."""
    ids = identifier_links(row)
    data: dict[str, object] = {"@type": "ScholarlyArticle", "name": row.get("title") or row["citekey"],
                               "url": page_url}
    if ids:
        data["@id"] = ids[0][2]
        data["identifier"] = [{"@type": "PropertyValue", "propertyID": k, "value": v} for k, v, _ in ids]
        data["sameAs"] = [u for _, _, u in ids]
    if row.get("authors"):
        data["author"] = [_person(str(a)) for a in row["authors"]]  # type: ignore[union-attr]
    if row.get("year") is not None:
        data["datePublished"] = str(row["year"])
    if row.get("journal"):
        data["isPartOf"] = {"@type": "Periodical", "name": row["journal"]}
    for key, prop in (("volume", "volumeNumber"), ("issue", "issueNumber"), ("pages", "pagination")):
        if row.get(key):
            data[prop] = str(row[key])
    return data


def claim_review(statement: Mapping[str, object], page_url: str, article_id: str, author_id: str) -> dict[str, object]:
    """One statement's verdict as a ClaimReview of the claim the article makes (article and author by @id)."""
    claim: dict[str, object] = {"@type": "Claim", "appearance": {"@id": article_id}}
    if statement.get("original_url"):
        claim["url"] = statement["original_url"]  # the sentence itself, as a text-fragment link
    rating: dict[str, object] = {"@type": "Rating", "alternateName": statement["verdict_label"]}
    if statement["verdict"] in RATING:
        rating.update(ratingValue=RATING[str(statement["verdict"])], bestRating=5, worstRating=1)
    return {"@type": "ClaimReview", "@id": f"{page_url}#{statement['anchor_id']}",
            "url": f"{page_url}#{statement['anchor_id']}", "claimReviewed": statement["quote"],
            "itemReviewed": claim, "reviewRating": rating, "author": {"@id": author_id}}


def article_graph(article: Mapping[str, object], statements: Sequence[Mapping[str, object]],
                  cited: Sequence[Mapping[str, object]], page_url: str, base: str, site_title: str) -> dict[str, object]:
    """The article page: who reviewed, the article with its ScholarlyArticle citations, a ClaimReview per statement.

    The reviewing organisation and the article appear once and are referred to by ``@id``,
    which keeps a 100-statement page's JSON-LD to a few hundred bytes per statement.
    """
    author_id = f"{base}#publisher"
    article_id = str(article.get("url") or f"{page_url}#article")
    node: dict[str, object] = {"@type": "Article", "@id": article_id, "headline": article["title"]}
    if article.get("url"):
        node["url"] = article["url"]
    if article.get("outlet"):
        node["publisher"] = {"@type": "Organization", "name": article["outlet"]}
    if article.get("published"):
        node["datePublished"] = str(article["published"])
    node["citation"] = [scholarly_article(row, f"{base}{row['href']}") for row in cited]
    reviews = [claim_review(s, page_url, article_id, author_id) for s in statements]
    return {"@context": CONTEXT, "@graph": [{"@type": "Organization", "@id": author_id, "name": site_title},
                                            node, *reviews]}


def study_graph(row: Mapping[str, object], page_url: str, statements: Sequence[Mapping[str, object]],
                base: str) -> dict[str, object]:
    """The study page: its ScholarlyArticle, and the article statements that cite it as evidence."""
    data = {"@context": CONTEXT, **scholarly_article(row, page_url)}
    if statements:
        data["subjectOf"] = [{"@type": "Claim", "text": s["quote"], "url": f"{base}{s['href']}"} for s in statements]
    return data
