"""Resolve stage: metadata and retraction status from Crossref, NCBI and Europe PMC.

The only stage that touches the network, and the only one that imports ``requests``.
Everything it learns goes into a readable JSON cache first (:mod:`.cache`); verification,
the database's ``metadata`` table and the CLI read that cache, so they work offline.

Layout, one job per module:

- ``ids``, ``records``   identifiers as typed; frozen records ``Work``, ``Notice``, ``Fetched``
- ``http``               one session: timeouts, retries with backoff, per-service limits, offline
- ``cache``              one JSON file per (source, identifier), written atomically
- ``base``               the small interface every source implements, and answer checks
- ``crossref``, ``ncbi``, ``europepmc``   one module per metadata source
- ``library``, ``runner``   the library's identifiers; fetch them all into the cache
- ``compare``, ``verify``   field equality rules; library vs fetched metadata, notices
- ``bibwrite``           edit .bib files in place, byte-for-byte outside the edited fields
- ``entries``, ``add``, ``exporters``   new entries (citekeys, duplicates); add by id; BibTeX/CSL-JSON/RIS out
- ``studyrows``, ``search``   drafted studies.csv rows; PubMed / Europe PMC search (``evidence find``)
- ``netfail``            what a failed connection means (message; no retry for an unreachable host)
- ``match``              printed reference -> DOI, with a score an editor confirms when low
- ``store``              the ``metadata`` table as a DataFrame, from the cache only
- ``api``                the functions the CLI calls
"""
