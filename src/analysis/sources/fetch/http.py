"""The one HTTP helper of the downloaders: GET or POST JSON, with a timeout and a size cap.

Each service says who we are (user agent), how long to wait and how much to accept, and what
each failure says (:class:`Service`); every failure becomes a one-line NetworkError.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from analysis.core.errors import NetworkError


@dataclass(frozen=True)
class Service:
    """One web service: its limits and the message of each kind of failure.

    The messages are ``str.format`` templates; the fields available are ``url``, ``what``
    (what was asked for), ``code`` and ``reason`` (HTTP refusal or network problem),
    ``timeout`` (seconds) and ``mib`` (the size cap in MiB).

    Attributes:
        user_agent: the ``User-Agent`` header.
        timeout: seconds per request.
        max_bytes: the largest answer accepted.
        refused: the service answered with an HTTP error.
        unreachable: no answer (offline, refused connection, DNS).
        too_large: the answer exceeds ``max_bytes``.
        timed_out: no answer within ``timeout``; ``None``: say ``unreachable``.
    """

    user_agent: str
    timeout: float
    max_bytes: int
    refused: str
    unreachable: str
    too_large: str
    timed_out: str | None = None


def request(service: Service, url: str, *, what: str = "",
            payload: dict | None = None) -> bytes:
    """GET ``url`` (or POST ``payload`` as JSON); every failure becomes a one-line NetworkError.

    Args:
        service: limits and messages of the service asked.
        url: an http(s) address (callers check the scheme).
        what: what is asked for, for the messages.
        payload: a JSON body to POST; ``None`` for a GET.

    Returns:
        The body of the answer (at most ``service.max_bytes``).

    Raises:
        NetworkError: refused, unreachable, timed out or too large.
    """
    data = None
    headers = {"User-Agent": service.user_agent, "Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=headers,  # noqa: S310 - http(s) only
                                 method="POST" if payload is not None else "GET")
    fields = {"url": url, "what": what, "timeout": service.timeout,
              "mib": service.max_bytes // 2**20}
    try:
        with urllib.request.urlopen(req, timeout=service.timeout) as resp:  # noqa: S310
            body = resp.read(service.max_bytes + 1)
    except urllib.error.HTTPError as err:
        raise NetworkError(service.refused.format(**fields, code=err.code,
                                                  reason=err.reason)) from None
    except TimeoutError as err:  # socket.timeout is TimeoutError since Python 3.10
        message = service.timed_out or service.unreachable
        raise NetworkError(message.format(**fields, code=None, reason=err)) from None
    except (urllib.error.URLError, ConnectionError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise NetworkError(service.unreachable.format(**fields, code=None,
                                                      reason=reason)) from None
    if len(body) > service.max_bytes:
        raise NetworkError(service.too_large.format(**fields))
    return body


def parse_json(body: bytes, not_json: str, *, trailing: str = "") -> object:
    """The JSON of an answer (UTF-8, BOM allowed; ``trailing`` characters stripped first).

    Raises:
        NetworkError: ``not_json``, when the answer is not JSON (an error page, say).
    """
    try:
        return json.loads(body.decode("utf-8-sig").rstrip(trailing))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NetworkError(not_json) from None
