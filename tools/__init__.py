"""Build-time tools that are not part of the runtime package ``analysis``.

``tools.synthetic`` writes tables in the real raw formats (PX-Web CSV/XLSX, JSON-stat,
yearbook sheets, the entry template) for ``scripts/make_default_data.py`` and the test
fixtures; nothing under ``src/analysis`` imports it, and the wheel does not ship it.
"""
