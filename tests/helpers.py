"""Small helpers for readable tests."""

from __future__ import annotations

import inspect
import io
from http.server import BaseHTTPRequestHandler

import pandas as pd


def frame(csv_text: str, **read_csv_kwargs) -> pd.DataFrame:
    """Build a DataFrame from an indented CSV literal (province codes stay strings)."""
    read_csv_kwargs.setdefault("dtype", {"province_code": str, "code": str})
    return pd.read_csv(io.StringIO(inspect.cleandoc(csv_text)), **read_csv_kwargs)


class QuietHandler(BaseHTTPRequestHandler):
    """A local fake server's request handler: no request log, and ``_send`` for a whole body."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
