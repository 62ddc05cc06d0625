"""The ``reports.*`` strings (``locales/<lang>/reports.yml``), with a thin private fallback.

``analysis.i18n.t(key, lang, **fields)`` is the project's catalogue; until it exists (or if it
lacks a key) this module reads the same YAML files itself, so the reports never show a raw key.
"""

from __future__ import annotations

from functools import cache

import yaml

from analysis.config import LANGUAGES, PACKAGE_DIR
from analysis.errors import DataError

LOCALES_DIR = PACKAGE_DIR / "locales"


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    elif node is not None:
        out[prefix] = str(node)


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / lang / "reports.yml"
    out: dict[str, str] = {}
    _flatten("", yaml.safe_load(path.read_text(encoding="utf-8")) or {}, out)
    return out


def _shared(key: str, lang: str, fields: dict) -> str | None:
    try:
        from analysis.i18n import t as shared_t
    except ImportError:
        return None
    try:
        text = shared_t(key, lang, **fields)
    except (LookupError, DataError, ValueError):
        return None
    return text if isinstance(text, str) and text and text != key else None


def t(key: str, lang: str, **fields: object) -> str:
    """Translate a ``reports.*`` key into ``lang`` (``vi`` or ``en``) and fill its fields.

    Raises:
        KeyError: when the key is in neither the shared catalogue nor ``reports.yml``.
    """
    if lang not in LANGUAGES:
        lang = LANGUAGES[0]
    text = _shared(key, lang, fields)
    if text is not None:
        return text
    template = _catalogue(lang)[key]
    return template.format(**fields) if fields else template
