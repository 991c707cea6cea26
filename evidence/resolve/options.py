"""The choices the resolve commands offer: fields ``verify --write`` may fill, and export formats.

Kept apart from :mod:`.api` so that the CLI can list them in ``--help`` without importing the
resolver (requests, pandas, the BibTeX parser).
"""

DEFAULT_WRITE_FIELDS = ("doi", "pmid", "pmcid")
WRITABLE = ("doi", "pmid", "pmcid", "title", "author", "journal", "year", "volume", "number", "pages")
EXPORT_FORMATS = ("bibtex", "csljson", "ris")
