"""``nq42 fetch nso TABLE_ID``: download an NSO PX-Web table as JSON-stat, best effort.

The PX-Web API (``https://pxweb.nso.gov.vn/pxweb/api/v1``) answers ``GET
/{lang}/{database path}/{table}.px`` with the table's metadata and ``POST`` of
``{"query": [...], "response": {"format": "json-stat"}}`` with the data. The table's
database path is found by asking the API (list of databases, then its search) unless the
table id is given as a path ("Dân số và lao động/Dân số và lao động/V02.01"). In 2025–26 the
service is reported to refuse or time out for scripted clients: downloads are never the
only way in (a user can always hand the project a file), so failures are one clear line
and exit 2, with nothing half-written.

The file goes to ``data/raw/downloads/nso/<table>-<lang>-<date>.json`` with its SHA-256
and a register entry (provenance ``official``, the API address as ``url``).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path

from analysis.core.atomic import write_bytes
from analysis.core.console import console_for_cli
from analysis.core.errors import NetworkError, ParameterError, _display_path
from analysis.sources import register  # register_source looked up at call time (tests replace it)
from analysis.sources.fetch import http
from analysis.sources.readers.jsonstat import read_jsonstat
from analysis.sources.register import raw_dir_of, sha256_file

DEFAULT_BASE = "https://pxweb.nso.gov.vn/pxweb/api/v1"
TIMEOUT = 15  # seconds per request
USER_AGENT = "nq42-tracker (+https://github.com/; research use)"
# Database paths seen on the service (theme folder repeated), tried before searching.
KNOWN_DATABASES = {("vi", "V02"): "Dân số và lao động/Dân số và lao động"}
MAX_BYTES = 50 * 1024 * 1024


def _service() -> http.Service:
    """The NSO service's limits (read at call time) and messages."""
    return http.Service(
        user_agent=USER_AGENT, timeout=TIMEOUT, max_bytes=MAX_BYTES,
        refused="the NSO service refused the request (HTTP {code} {reason}) for {url}",
        unreachable="cannot reach the NSO service ({reason}); offline? No file was written. "
                    "You can download the table by hand and use `nq42 ingest`",
        too_large="the answer from {url} is larger than {mib} MiB")


def _request(url: str, payload: dict | None = None) -> bytes:
    return http.request(_service(), url, payload=payload)


def _json(body: bytes, url: str) -> object:
    return http.parse_json(body, f"the answer from {url} is not JSON (the service may be "
                                 "showing an error page)", trailing="\x00")


def _quote(path: str) -> str:
    return "/".join(urllib.parse.quote(p) for p in path.strip("/").split("/"))


def _table_url(base: str, lang: str, table_id: str) -> str:
    """URL of the table, searching the databases when the id is not a path."""
    if "/" in table_id:
        path = table_id if table_id.endswith(".px") else f"{table_id}.px"
        return f"{base}/{lang}/{_quote(path)}"
    table = table_id if table_id.endswith(".px") else f"{table_id}.px"
    known = KNOWN_DATABASES.get((lang, table_id[:3].upper()))
    if known:
        url = f"{base}/{lang}/{_quote(known)}/{urllib.parse.quote(table)}"
        try:
            meta = _json(_request(url), url)
            if isinstance(meta, dict) and meta.get("variables"):
                return url
        except NetworkError as err:
            if "cannot reach" in err.problem:
                raise
    return _search_databases(base, lang, table_id)


def _search_databases(base: str, lang: str, table_id: str) -> str:
    """Ask every database of the service (its search) where the table is."""
    databases = _json(_request(f"{base}/{lang}/"), f"{base}/{lang}/")
    if not isinstance(databases, list):
        raise NetworkError("the NSO service did not list its databases")
    stem = table_id.removesuffix(".px")
    for db in databases[:40]:
        dbid = (db.get("dbid") or db.get("id")) if isinstance(db, dict) else None
        if not dbid:
            continue
        search = (f"{base}/{lang}/{urllib.parse.quote(dbid)}?query="
                  f"{urllib.parse.quote(stem)}&filter=*")
        try:
            hits = _json(_request(search), search)
        except NetworkError as err:
            if "cannot reach" in err.problem:
                raise
            continue
        for hit in hits if isinstance(hits, list) else []:
            hid = str(hit.get("id", ""))
            if hid.removesuffix(".px") == stem:
                path = str(hit.get("path", "")).strip("/")
                name = hid if hid.endswith(".px") else f"{hid}.px"
                full = "/".join(p for p in (dbid, path, name) if p)
                return f"{base}/{lang}/{_quote(full)}"
    raise NetworkError(f"table {table_id} was not found in any NSO database ({lang}); give "
                       "its path, e.g. 'Dân số và lao động/Dân số và lao động/V02.01'")


def fetch_table(table_id: str, lang: str = "vi", base_url: str | None = None,
                raw_dir: str | Path | None = None, today: dt.date | None = None) -> Path:
    """Download one table as JSON-stat into ``data/raw/downloads/nso/`` and register it.

    Returns:
        The path of the downloaded file.

    Raises:
        ParameterError: bad language or table id.
        NetworkError: offline, refused, timed out, or the answer is not a JSON-stat table.
    """

    if lang not in ("vi", "en"):
        raise ParameterError(f"unknown language {lang!r}; use vi or en")
    table_id = table_id.strip()
    if not table_id or any(c in table_id for c in "?#\\") or ".." in table_id.split("/"):
        raise ParameterError(f"not a PX-Web table id: {table_id!r}")
    base = (base_url or DEFAULT_BASE).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ParameterError(f"the API address must start with http:// or https://: {base!r}")
    url = _table_url(base, lang, table_id)
    meta = _json(_request(url), url)
    variables = meta.get("variables") if isinstance(meta, dict) else None
    if not variables:
        raise NetworkError(f"no table metadata at {url}")
    query = {"query": [{"code": v["code"], "selection": {"filter": "all", "values": ["*"]}}
                       for v in variables if "code" in v],
             "response": {"format": "json-stat"}}
    body = _request(url, query)
    _json(body, url)
    name = Path(urllib.parse.unquote(url.rsplit("/", 1)[-1])).stem
    day = (today or dt.date.today()).isoformat()
    folder = raw_dir_of(raw_dir)
    rel = f"downloads/nso/{name}-{lang}-{day}.json"
    target = folder / rel
    try:
        read_jsonstat(target, body)
    except Exception as err:  # noqa: BLE001 - any failure means the answer is not usable
        raise NetworkError(f"the answer from {url} is not a readable JSON-stat table "
                           f"({getattr(err, 'problem', err)})") from None
    write_bytes(target, body)
    try:
        register.register_source(rel, {
            "title": str(meta.get("title") or name),
            "producer": "National Statistics Office of Viet Nam (NSO, formerly GSO), PX-Web",
            "provenance": "official",
            "date_accessed": day,
            "url": url,
            "licence": "unknown",
            "sha256": sha256_file(target),
            "format": "jsonstat",
        }, raw_dir=folder)
    except Exception:
        target.unlink(missing_ok=True)  # never leave a file without its register entry
        raise
    return target


def cli_fetch_nso(table_id: str, lang: str = "vi", base_url: str | None = None) -> int:
    """``nq42 fetch nso TABLE_ID``: download, register, print where. Returns the exit status.

    Network problems raise NetworkError (the CLI prints one line and exits 2).
    """
    path = fetch_table(table_id, lang=lang, base_url=base_url)
    console_for_cli().print(f"downloaded {table_id} ({lang}) to {_display_path(str(path))} and registered it in "
          "data/raw/sources.yml (provenance: official)")
    return 0
