"""NSO PX-Web JSON-stat (version 1.x ``{"dataset": {...}}`` and 2.0 ``{"class": "dataset"}``).

Quirks of the real exports (``nso-samples/PROVENANCE.md``):

* a NUL byte after the JSON: only the first JSON value is decoded;
* null values whose ``status`` entry is null too (e.g. "Ha Tay" after 2008): blank cells;
* dimension names vary ("Cities, provincies", "Địa phương", "Year", "Năm") so the place and
  time dimensions are recognised by their role, their name or their labels;
* years such as "Prel. 2024" / "Sơ bộ 2021" (provisional);
* further dimensions (items, or categories such as Total/Male/Female/Urban/Rural) become the
  item label; a generic category ("Total") is combined with its dimension's label
  ("Average population - Total") when matched against the catalogue.

A table without a place dimension is national: every value belongs to "VN".
Grain of the result: one raw cell per non-null value; ``row`` is ``cell N`` (the index in
the dataset's value array).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalogue.geography import match_provinces
from analysis.core.errors import DataError
from analysis.sources.readers.base import RawTable
from analysis.sources.readers.encoding import decode
from analysis.sources.readers.labels import item_candidates, loose_key, parse_year

_TIME_NAMES = {"year", "nam", "time", "thoigian", "period", "kybaocao", "ky", "years", "tid",
               "n?m"}
_GEO_NAMES = {"citiesprovincies", "citiesprovinces", "diaphuong", "province", "provinces",
              "tinhthanhpho", "region", "diaban", "cities", "d?aphuong", "vungtinhthanhpho",
              "vung", "geo"}


def _load(path: Path, data: bytes) -> dict:
    text = decode(data, file=path).text.lstrip("\ufeff \r\n\t")
    try:
        obj, _end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}",
                        file=path) from None
    if not isinstance(obj, dict):
        raise DataError("JSON-stat must be an object with a dataset", file=path)
    if "dataset" in obj and isinstance(obj["dataset"], dict):
        return obj["dataset"]
    if obj.get("class") == "dataset" or "dimension" in obj:
        return obj
    if len(obj) == 1:  # JSON-stat 1.0 bundle {"name": {dataset}}
        only = next(iter(obj.values()))
        if isinstance(only, dict) and "dimension" in only:
            return only
    raise DataError("no JSON-stat dataset found (no 'dataset' or 'dimension' key)", file=path)


def _dimensions(ds: dict, path: Path) -> tuple[list[str], list[int], dict]:
    dim = ds.get("dimension")
    if not isinstance(dim, dict):
        raise DataError("JSON-stat dataset has no 'dimension' object", file=path)
    ids = ds.get("id") or dim.get("id")
    sizes = ds.get("size") or dim.get("size")
    if not ids or not sizes or len(ids) != len(sizes):
        raise DataError("JSON-stat dimension 'id'/'size' are missing or disagree", file=path)
    return list(ids), [int(s) for s in sizes], dim


def _categories(dim_obj: dict, size: int, name: str, path: Path) -> list[str]:
    cat = dim_obj.get("category") or {}
    index = cat.get("index")
    labels = cat.get("label") or {}
    if isinstance(index, list):
        keys = list(index)
    elif isinstance(index, dict):
        keys = [k for k, _ in sorted(index.items(), key=lambda kv: int(kv[1]))]
    else:
        keys = list(labels)
    if len(keys) != size:
        raise DataError(f"dimension {name!r} lists {len(keys)} categories but its size is "
                        f"{size}", file=path)
    return [str(labels.get(k, k)) for k in keys]


def _values(ds: dict, total: int, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Values as an object array (None where absent) and a status array (None/str)."""
    raw = ds.get("value")
    values = np.full(total, None, dtype=object)
    if isinstance(raw, list):
        if len(raw) != total:
            raise DataError(f"JSON-stat has {len(raw)} values for {total} cells", file=path)
        values[:] = raw
    elif isinstance(raw, dict):
        for k, v in raw.items():
            values[int(k)] = v
    else:
        raise DataError("JSON-stat dataset has no 'value' array", file=path)
    status = np.full(total, None, dtype=object)
    raw_status = ds.get("status")
    if isinstance(raw_status, list):
        status[: len(raw_status)] = raw_status[:total]
    elif isinstance(raw_status, dict):
        for k, v in raw_status.items():
            status[int(k)] = v
    elif isinstance(raw_status, str):
        status[:] = raw_status
    return values, status


def _role(ds: dict, dim: dict, kind: str) -> set[str]:
    role = ds.get("role") or dim.get("role") or {}
    return set(role.get(kind) or [])


def _classify(ids: list[str], dim: dict, cats: dict[str, list[str]], ds: dict
              ) -> tuple[str | None, str | None]:
    """Which dimension holds places and which holds years."""
    time_role, geo_role = _role(ds, dim, "time"), _role(ds, dim, "geo")
    time = next((i for i in ids if i in time_role), None)
    geo = next((i for i in ids if i in geo_role), None)

    def label(i: str) -> str:
        return str(dim[i].get("label") or i)

    if time is None:
        time = next((i for i in ids if loose_key(i) in _TIME_NAMES
                     or loose_key(label(i)) in _TIME_NAMES), None)
    if time is None:
        for i in ids:
            labels = cats[i]
            if labels and sum(parse_year(x)[0] is not None for x in labels) >= 0.8 * len(labels):
                time = i
                break
    if geo is None:
        geo = next((i for i in ids if i != time and (loose_key(i) in _GEO_NAMES
                                                     or loose_key(label(i)) in _GEO_NAMES)), None)
    if geo is None:

        best, best_share = None, 0.0
        for i in ids:
            if i == time:
                continue
            kinds = match_provinces(pd.Series(cats[i], dtype="object"), "vn63", errors="mark")
            share = float((kinds["kind"] != "unmatched").mean()) if len(kinds) else 0.0
            if share > best_share:
                best, best_share = i, share
        if best_share >= 0.5:
            geo = best
    return geo, time


def read_jsonstat(path: Path, data: bytes) -> RawTable:
    """Read a JSON-stat dataset into one raw cell per non-null value."""
    ds = _load(path, data)
    ids, sizes, dim = _dimensions(ds, path)
    for i in ids:
        if i not in dim or not isinstance(dim[i], dict):
            raise DataError(f"dimension {i!r} is listed in 'id' but not described", file=path)
    cats = {i: _categories(dim[i], s, i, path) for i, s in zip(ids, sizes, strict=True)}
    total = int(np.prod(sizes)) if sizes else 0
    values, status = _values(ds, total, path)
    geo, time = _classify(ids, dim, cats, ds)
    if time is None:
        raise DataError("no year dimension found (expected a dimension such as 'Year' or "
                        "'Năm' whose labels are years)", file=path)
    items = [i for i in ids if i not in (geo, time)]
    title = str(ds.get("label") or "")

    present = np.array([v is not None for v in values], dtype=bool)
    missing_symbols = [s for v, s in zip(values, status, strict=True) if v is None and s]
    flat = np.flatnonzero(present)
    coords = np.unravel_index(flat, sizes) if len(sizes) else ()
    pos = {i: k for k, i in enumerate(ids)}

    def labels_of(dim_id: str) -> np.ndarray:
        return np.asarray(cats[dim_id], dtype=object)[coords[pos[dim_id]]]

    province = labels_of(geo) if geo else np.full(len(flat), "VN", dtype=object)
    years = labels_of(time)
    item_labels: dict[tuple[int, ...], str] = {}
    cands: dict[str, tuple[str, ...]] = {}
    dim_labels = {i: str(dim[i].get("label") or i) for i in items}
    for combo in itertools.product(*(range(len(cats[i])) for i in items)):
        parts = [(dim_labels[i], cats[i][k]) for i, k in zip(items, combo, strict=True)]
        label = " - ".join(c for _, c in parts)
        item_labels[combo] = label
        cands[label] = item_candidates(parts, title)
    if items:
        combo_codes = np.stack([coords[pos[i]] for i in items], axis=1)
        item = np.array([item_labels[tuple(c)] for c in combo_codes.tolist()], dtype=object)
    else:
        item = np.full(len(flat), "", dtype=object)
        cands[""] = item_candidates([], title)

    cells = pd.DataFrame({
        "row": pd.array([f"cell {n}" for n in flat], dtype="str"),
        "column": pd.array(["value"] * len(flat), dtype="str"),
        "province": pd.array(province.astype(str), dtype="str"),
        "year": pd.array(years.astype(str), dtype="str"),
        "item": pd.array(item.astype(str), dtype="str"),
        "value": pd.Series(values[flat], dtype="object"),
    })
    notes = []
    if geo is None:
        notes.append("no place dimension: every value is read as a national (VN) figure")
    field_columns = {"year": str(dim[time].get("label") or time), "value": "value"}
    if geo:
        field_columns["province"] = str(dim[geo].get("label") or geo)
    if items:
        field_columns["item"] = ", ".join(dim_labels[i] for i in items)
    table = RawTable(
        cells=cells, fmt="jsonstat", file=path, encoding="utf-8", title=title,
        item_candidates=cands, field_columns=field_columns,
        blank_cells=int((~present).sum()), notes=notes,
    )
    if missing_symbols:
        table.notes.append(f"{len(missing_symbols)} empty cells carry a status symbol")
    return table
