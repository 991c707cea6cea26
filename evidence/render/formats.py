"""The formats of the report for writers and their file suffixes.

Kept apart from :mod:`.report` so that ``evidence report --help`` can offer them without
importing the renderer (Jinja2, citeproc, DuckDB).
"""

FORMATS = {"docx": ".docx", "markdown": ".md", "html": ".html"}
