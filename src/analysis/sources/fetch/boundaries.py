"""``nq42 fetch boundaries``: download the province boundaries from geoBoundaries, best effort.

The project ships no boundaries. This command asks the geoBoundaries API
(``https://www.geoboundaries.org/api/current/gbOpen/VNM/ADM1/``) for Viet Nam's provinces and
accepts the answer only when it is the pinned release, boundary ID ``VNM-ADM1-63759600``
(the 63 provinces valid until 30 Jun 2025), under a public-domain licence: an older
release of the same boundaries was CC BY-SA, and a newer one may draw other units. The
simplified GeoJSON it points to is downloaded, checked (every feature must resolve to a
province and all 63 must be there), and written with its SHA-256 to
``data/raw/downloads/boundaries/VNM-ADM1-63759600.geojson`` with an entry in
``data/raw/sources.yml`` (kind ``boundaries``). Maps then find it by themselves.

Offline, refused, timed out, or not the pinned release: one clear line, exit status 2, and
nothing written (the file is written atomically and removed again if its register entry
cannot be written; a file already there is kept as it was).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from analysis.core.atomic import atomic_path, write_bytes
from analysis.core.errors import DataError, NetworkError, ParameterError, _display_path
from analysis.sources import register  # register_source looked up at call time (tests replace it)
from analysis.sources.boundaries import DOWNLOAD_FOLDER, PINNED_BOUNDARY_ID, load_boundaries
from analysis.sources.fetch import http
from analysis.sources.register import raw_dir_of

DEFAULT_API = "https://www.geoboundaries.org/api/current/gbOpen/VNM/ADM1/"
TIMEOUT = 30.0  # seconds per request
MAX_BYTES = 50 * 1024 * 1024
USER_AGENT = "nq42-tracker (research use; boundaries download)"
PRODUCER = "geoBoundaries (William & Mary geoLab)"
CITATION = ("Runfola, D. et al. (2020). geoBoundaries: A global database of political "
            "administrative boundaries. PLOS ONE 15(4): e0231866. "
            "doi:10.1371/journal.pone.0231866")
PUBLIC_DOMAIN = ("public domain", "cc0")


def _service() -> http.Service:
    """geoBoundaries' limits (read at call time: tests shorten TIMEOUT) and messages."""
    return http.Service(
        user_agent=USER_AGENT, timeout=TIMEOUT, max_bytes=MAX_BYTES,
        refused="geoBoundaries refused the request for the {what} (HTTP {code} {reason}) at "
                "{url}; nothing was written",
        timed_out="geoBoundaries did not answer within {timeout:g} s ({what}, {url}); "
                  "nothing was written",
        unreachable="cannot reach geoBoundaries ({reason}); offline? Nothing was written. "
                    "Maps use the tile grid until boundaries are fetched, or pass a boundary "
                    "file with --boundaries",
        too_large="the {what} at {url} is larger than {mib} MiB; nothing was written")


def _get(url: str, what: str) -> bytes:
    """GET ``url``; every failure becomes a one-line NetworkError."""
    return http.request(_service(), url, what=what)


def _json(body: bytes, what: str, url: str) -> object:
    return http.parse_json(body, f"the {what} at {url} is not JSON (the service may be "
                                 "showing an error page); nothing was written")


def _metadata(api_url: str) -> dict:
    """The API's description of the boundary set, checked against the pinned release."""
    meta = _json(_get(api_url, "API answer"), "API answer", api_url)
    if isinstance(meta, list) and len(meta) == 1:
        meta = meta[0]
    if not isinstance(meta, dict):
        raise NetworkError(f"unexpected answer from the geoBoundaries API at {api_url} (not "
                           "one boundary set); nothing was written")
    found = str(meta.get("boundaryID", "")).strip()
    if found != PINNED_BOUNDARY_ID:
        raise NetworkError(f"refused: geoBoundaries now offers boundary ID {found or '(none)'}, "
                           f"not the pinned {PINNED_BOUNDARY_ID} (its provinces and licence "
                           "were checked for this project); nothing was written",
                           hint="pass a boundary file you trust with --boundaries")
    licence = str(meta.get("boundaryLicense", "")).strip()
    if not any(term in licence.lower() for term in PUBLIC_DOMAIN):
        raise NetworkError(f"refused: the licence of {found} is stated as {licence or '(none)'!r}, "
                           "not public domain; nothing was written")
    return meta


def _check_geojson(body: bytes, url: str) -> None:
    """Refuse a body that is not the boundary GeoJSON (error page, Git LFS pointer, other ID)."""
    if body.startswith(b"version https://git-lfs"):
        raise NetworkError(f"the download at {url} is a Git LFS pointer, not the GeoJSON; "
                           "nothing was written")
    data = _json(body, "boundary file", url)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list) or not data["features"]:
        raise NetworkError(f"the download at {url} is not a GeoJSON FeatureCollection; "
                           "nothing was written")
    number = PINNED_BOUNDARY_ID.rsplit("-", 1)[-1]
    for feature in data["features"]:
        shape_id = str((feature.get("properties") or {}).get("shapeID", "")) \
            if isinstance(feature, dict) else ""
        if shape_id and not shape_id.startswith(number):
            raise NetworkError(f"refused: the features of {url} belong to another release "
                               f"(shapeID {shape_id}); nothing was written")


def _check_usable(body: bytes, url: str) -> None:
    """Every feature must resolve to a province and all 63 must be there (checked in a
    temporary folder, so that a refused download leaves nothing behind)."""
    with tempfile.TemporaryDirectory(prefix="nq42-boundaries-") as folder:
        path = Path(folder) / f"{PINNED_BOUNDARY_ID}.geojson"
        path.write_bytes(body)
        try:
            load_boundaries("vn63", path, cache=False)
        except DataError as err:
            raise NetworkError(f"the download at {url} is not a usable boundary file: "
                               f"{err.problem}; nothing was written") from None


def fetch_boundaries(api_url: str | None = None, *, raw_dir: str | Path | None = None,
                     today: dt.date | None = None) -> Path:
    """Download the pinned geoBoundaries provinces into ``data/raw/`` and register them.

    Args:
        api_url: the geoBoundaries API address (default: the official one).
        raw_dir: the raw-data folder (default ``data/raw``).
        today: the access date to record (default: today).

    Returns:
        The path of the downloaded GeoJSON file.

    Raises:
        NetworkError: offline, refused, timed out, not the pinned boundary ID, not public
            domain, or a download that is not a usable boundary file. Nothing is written.
        ParameterError: an API address that is not http(s).
    """

    url = api_url or DEFAULT_API
    if not url.startswith(("http://", "https://")):
        raise ParameterError(f"the API address must start with http:// or https://: {url!r}")
    meta = _metadata(url)
    download = str(meta.get("simplifiedGeometryGeoJSON") or "").strip()
    if not download.startswith(("http://", "https://")):
        raise NetworkError(f"the API answer at {url} gives no simplified GeoJSON address; "
                           "nothing was written")
    body = _get(download, "boundary file")
    _check_geojson(body, download)
    sha = hashlib.sha256(body).hexdigest()
    folder = raw_dir_of(raw_dir)
    rel = f"{DOWNLOAD_FOLDER}/{PINNED_BOUNDARY_ID}.geojson"
    target = folder / rel
    _check_usable(body, download)
    previous = target.read_bytes() if target.is_file() else None
    with atomic_path(target) as tmp:
        tmp.write_bytes(body)
    entry = {
        "title": "geoBoundaries gbOpen Viet Nam ADM1: the 63 provinces valid until "
                 "30 Jun 2025 (simplified geometry)",
        "producer": PRODUCER,
        "provenance": "official",
        "date_accessed": (today or dt.date.today()).isoformat(),
        "url": download,
        "licence": str(meta.get("boundaryLicense")).strip(),
        "sha256": sha,
        "kind": "boundaries",
        "geo_version": "vn63",
        "boundary_id": PINNED_BOUNDARY_ID,
        "api_url": url,
        "citation": CITATION,
    }
    for key, field in (("boundary_year", "boundaryYearRepresented"),
                       ("build_date", "buildDate"), ("licence_source", "licenseSource")):
        if meta.get(field) not in (None, ""):
            entry[key] = str(meta[field])
    try:
        register.register_source(rel, entry, raw_dir=folder)
    except BaseException:
        # never leave a file without its entry: put back what was there before
        if previous is None:
            target.unlink(missing_ok=True)
        else:

            write_bytes(target, previous)
        raise
    return target


def cli_fetch_boundaries(api_url: str | None = None) -> int:
    """``nq42 fetch boundaries``: download, register, say where. Returns the exit status.

    Network problems and refusals raise NetworkError (the CLI prints one line, exit 2).
    """

    path = fetch_boundaries(api_url)
    print(f"downloaded geoBoundaries {PINNED_BOUNDARY_ID} (public domain; Runfola et al. "  # noqa: T201
          f"2020) to {_display_path(str(path))} and registered it in data/raw/sources.yml; "
          "maps now draw the provinces' boundaries")
    return 0
