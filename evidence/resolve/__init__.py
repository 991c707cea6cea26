"""Resolve stage: metadata and retraction status from Crossref, NCBI and Europe PMC.

The only stage that touches the network, and the only one that imports ``requests``.
Everything it learns goes into a readable JSON cache first (:mod:`.cache`); verification,
the database's ``metadata`` table and the CLI read that cache, so they work offline.

Layout, one job per module:

- ``ids``        parse and explain DOI / PMID / PMCID as a user types them
- ``records``    frozen records: ``Work``, ``Notice``, ``Fetched``
- ``http``       one session: timeouts, retries with backoff, per-service rate limits, offline
- ``cache``      one JSON file per (source, identifier), written atomically
- ``crossref``, ``ncbi``, ``europepmc``   one module per metadata source, same interface
- ``runner``     fetch every identifier of the library through the sources, into the cache
- ``verify``     compare BibTeX records with fetched metadata; notices; missing identifiers
- ``bibwrite``   edit .bib files in place, byte-for-byte outside the edited fields
- ``importers``  RIS / CSL-JSON / BibTeX in, BibTeX / CSL-JSON / RIS out; ``add`` by identifier
- ``store``      the ``metadata`` table as a DataFrame, from the cache only
- ``api``        the functions the CLI calls
"""
