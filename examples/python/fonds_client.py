#!/usr/bin/env python3
"""Fonds example client: signed submissions and webhook verification (接入系统示例客户端).

A source system (OA, reimbursement, ERP) sends accounting records to Fonds as signed HTTP
requests. This file is a complete, dependency-light reference for the signing scheme described in
docs/integration.md:

* ``FondsClient`` signs requests (HMAC-SHA256 or HMAC-SM3), submits a manifest with its files as
  multipart/form-data, retries only what is safe to retry, and polls a submission's outcome;
* ``verify_webhook`` checks a webhook delivery that Fonds sent to the source system;
* SM3 (GB/T 32905-2016) and HMAC (RFC 2104) are implemented here in pure Python, because the
  ``hashlib`` of many Python builds has no SM3.

Command line::

    python3 fonds_client.py selftest
    python3 fonds_client.py submit-demo --base http://127.0.0.1:8080 \\
        --client fc_... --secret fcs_... [--algorithm hmac-sm3] [--fonds Z001]

``--secret`` may be left out when the environment variable ``FONDS_CLIENT_SECRET`` holds it,
which keeps the secret out of the shell history and the process list.

Only the standard library and ``requests`` are used; ``selftest`` needs no ``requests``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import email.utils
import hashlib
import hmac as _std_hmac
import json
import os
import random
import re
import secrets
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

# --------------------------------------------------------------------------------------------
# The scheme's constants
# --------------------------------------------------------------------------------------------

#: Configuration name of each algorithm -> first line of the string to sign.
SCHEMES = {
    "hmac-sha256": "FONDS1-HMAC-SHA256",
    "hmac-sm3": "FONDS1-HMAC-SM3",
}
#: How far a timestamp may be from the server's clock, in seconds.
TIMESTAMP_WINDOW = 300
#: SHA-256 of the empty body.
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

CLIENT_ID_RE = re.compile(r"^fc_[0-9a-f]{24}$")
SECRET_RE = re.compile(r"^fcs_[0-9a-f]{64}$")
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,128}$")

H_CLIENT = "X-Fonds-Client"
H_TIMESTAMP = "X-Fonds-Timestamp"
H_NONCE = "X-Fonds-Nonce"
H_CONTENT = "X-Fonds-Content-SHA256"
H_SIGNATURE = "X-Fonds-Signature"
H_EVENT = "X-Fonds-Event"
H_DELIVERY = "X-Fonds-Delivery"

# --------------------------------------------------------------------------------------------
# SM3 (GB/T 32905-2016) and HMAC (RFC 2104)
# --------------------------------------------------------------------------------------------

_M32 = 0xFFFFFFFF
_SM3_IV = (
    0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
    0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E,
)


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M32


# T_j rotated left by j, precomputed for the 64 rounds.
_SM3_TJ = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _sm3_compress(v: list[int], block: bytes) -> list[int]:
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
        p1 = x ^ _rotl(x, 15) ^ _rotl(x, 23)
        w.append(p1 ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        a12 = _rotl(a, 12)
        ss1 = _rotl((a12 + e + _SM3_TJ[j]) & _M32, 7)
        ss2 = ss1 ^ a12
        if j < 16:
            ff = a ^ b ^ c
            gg = e ^ f ^ g
        else:
            ff = (a & b) | (a & c) | (b & c)
            gg = (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _M32
        tt2 = (gg + h + ss1 + w[j]) & _M32
        d, c, b, a = c, _rotl(b, 9), a, tt1
        h, g, f = g, _rotl(f, 19), e
        e = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)
    return [x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h))]


class SM3:
    """SM3 with the ``hashlib`` interface (``update``, ``digest``, ``hexdigest``, ``copy``)."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: bytes = b"") -> None:
        self._v = list(_SM3_IV)
        self._buffer = b""
        self._length = 0
        self.update(data)

    def update(self, data: bytes) -> None:
        self._length += len(data)
        buffer = self._buffer + bytes(data)
        full = len(buffer) - len(buffer) % 64
        for i in range(0, full, 64):
            self._v = _sm3_compress(self._v, buffer[i:i + 64])
        self._buffer = buffer[full:]

    def copy(self) -> "SM3":
        other = SM3()
        other._v, other._buffer, other._length = list(self._v), self._buffer, self._length
        return other

    def digest(self) -> bytes:
        # Padding as in SHA-256: 0x80, zeros to 56 mod 64, then the length in bits (64-bit BE).
        tail = self._buffer + b"\x80" + b"\x00" * ((55 - len(self._buffer)) % 64)
        tail += struct.pack(">Q", (self._length * 8) & 0xFFFFFFFFFFFFFFFF)
        v = list(self._v)
        for i in range(0, len(tail), 64):
            v = _sm3_compress(v, tail[i:i + 64])
        return struct.pack(">8I", *v)

    def hexdigest(self) -> str:
        return self.digest().hex()


def sm3(data: bytes) -> bytes:
    """The SM3 digest of ``data``."""
    return SM3(data).digest()


def hmac_rfc2104(hash_fn, key: bytes, message: bytes, block_size: int = 64) -> bytes:
    """HMAC per RFC 2104 for any hash: ``H((K ^ opad) || H((K ^ ipad) || m))``.

    A key longer than the block is first replaced by its hash; then it is padded with zeros to
    the block size. A Fonds secret (68 bytes) is longer than the 64-byte block, so it is hashed.
    """
    if len(key) > block_size:
        key = hash_fn(key)
    key = key.ljust(block_size, b"\x00")
    inner = hash_fn(bytes(k ^ 0x36 for k in key) + message)
    return hash_fn(bytes(k ^ 0x5C for k in key) + inner)


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC-SM3 (RFC 2104 with SM3, 64-byte block)."""
    return hmac_rfc2104(sm3, key, message)


def mac_hex(algorithm: str, key: bytes, message: bytes) -> str:
    """Lower-case hex HMAC of ``message`` with the named algorithm."""
    if algorithm == "hmac-sha256":
        return _std_hmac.new(key, message, hashlib.sha256).hexdigest()
    if algorithm == "hmac-sm3":
        return hmac_sm3(key, message).hex()
    raise ValueError(f"unknown algorithm {algorithm!r}: use hmac-sha256 or hmac-sm3")


# --------------------------------------------------------------------------------------------
# The string to sign
# --------------------------------------------------------------------------------------------


def canonical_query(query: str) -> str:
    """The raw query as sent, split on ``&``, empty pieces dropped, sorted by bytes, re-joined.

    Nothing is decoded or re-encoded: ``b=%20`` stays ``b=%20``.
    """
    pieces = [p for p in (query or "").split("&") if p]
    pieces.sort(key=lambda p: p.encode("utf-8"))
    return "&".join(pieces)


def string_to_sign(
    algorithm: str,
    client_id: str,
    method: str,
    path: str,
    query: str,
    timestamp: str,
    nonce: str,
    body_sha256: str,
) -> str:
    """The eight lines joined by LF, without a trailing LF."""
    if algorithm not in SCHEMES:
        raise ValueError(f"unknown algorithm {algorithm!r}: use hmac-sha256 or hmac-sm3")
    return "\n".join([
        SCHEMES[algorithm],
        client_id,
        method.upper(),
        path,
        canonical_query(query),
        str(timestamp),
        nonce,
        body_sha256,
    ])


def new_nonce() -> str:
    """32 characters from A-Z a-z 0-9 - _ (24 random bytes, URL-safe base64)."""
    return secrets.token_urlsafe(24)


def sign_request(
    algorithm: str,
    client_id: str,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int | str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The five signing headers for one request."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = new_nonce() if nonce is None else nonce
    if not NONCE_RE.match(nonce):
        raise ValueError("a nonce is 16 to 64 characters from A-Z a-z 0-9 - _")
    body_sha256 = hashlib.sha256(body).hexdigest()
    text = string_to_sign(algorithm, client_id, method, path, query, timestamp, nonce,
                          body_sha256)
    return {
        H_CLIENT: client_id,
        H_TIMESTAMP: timestamp,
        H_NONCE: nonce,
        H_CONTENT: body_sha256,
        H_SIGNATURE: mac_hex(algorithm, secret.encode("utf-8"), text.encode("utf-8")),
    }


# --------------------------------------------------------------------------------------------
# Webhooks: verifying what Fonds sends
# --------------------------------------------------------------------------------------------


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    client_id: str,
    secret: str,
    algorithm: str,
    path: str,
    query: str = "",
    now: float | None = None,
) -> bool:
    """Whether a webhook delivery really comes from Fonds and is intact.

    ``path`` and ``query`` are those of the webhook URL as registered (and as received).
    Checks, in order: every signing header present and well-formed, the client id is ours, the
    body's SHA-256 matches the header, the timestamp is within 300 s of ``now``, and the
    signature recomputed over the string to sign equals the header, compared in constant time.
    Deduplicate accepted deliveries by their ``X-Fonds-Delivery`` id: a delivery may arrive more
    than once, and a replay inside the window verifies too.
    """
    h = {k.lower(): v for k, v in headers.items()}
    try:
        got_client = h[H_CLIENT.lower()]
        ts = h[H_TIMESTAMP.lower()]
        nonce = h[H_NONCE.lower()]
        declared = h[H_CONTENT.lower()]
        signature = h[H_SIGNATURE.lower()]
    except KeyError:
        return False
    if not all(v.isascii() for v in (got_client, ts, nonce, declared, signature)):
        return False
    if algorithm not in SCHEMES or not _std_hmac.compare_digest(got_client, client_id):
        return False
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 12 or not NONCE_RE.match(nonce):
        return False
    actual = hashlib.sha256(body).hexdigest()
    if not _std_hmac.compare_digest(actual, declared):
        return False
    now = time.time() if now is None else now
    if abs(now - int(ts)) > TIMESTAMP_WINDOW:
        return False
    text = string_to_sign(algorithm, client_id, "POST", path, query, ts, nonce, actual)
    expected = mac_hex(algorithm, secret.encode("utf-8"), text.encode("utf-8"))
    return _std_hmac.compare_digest(expected, signature.lower())


# --------------------------------------------------------------------------------------------
# Multipart bodies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilePart:
    """One file to send: its multipart part name, a file name and its bytes."""

    part: str
    file_name: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class PreparedSubmission:
    """A submission's exact bytes. Resend these very bytes when retrying with the same key."""

    body: bytes
    content_type: str


def build_multipart(manifest: Mapping[str, Any], files: Sequence[FilePart]) -> PreparedSubmission:
    """The multipart/form-data body: the ``manifest`` part first, then one part per file.

    The part's ``filename`` parameter is kept ASCII (the real, possibly Chinese, name travels in
    the manifest's ``file_name``). The boundary is random and checked not to occur in any part.
    """
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    for f in files:
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", f.part) or f.part == "manifest":
            raise ValueError(f"part name {f.part!r}: use 1-100 ASCII letters, digits, . _ -")
    contents = [manifest_bytes] + [f.content for f in files]
    while True:
        boundary = "----FondsBoundary" + secrets.token_hex(16)
        if not any(boundary.encode() in c for c in contents):
            break
    out = bytearray()

    def part(headers: Iterable[str], content: bytes) -> None:
        out.extend(f"--{boundary}\r\n".encode())
        for line in headers:
            out.extend(line.encode("ascii") + b"\r\n")
        out.extend(b"\r\n")
        out.extend(content)
        out.extend(b"\r\n")

    part(['Content-Disposition: form-data; name="manifest"',
          "Content-Type: application/json; charset=utf-8"], manifest_bytes)
    for f in files:
        ext = os.path.splitext(f.file_name)[1]
        ascii_name = f.part + (ext if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", ext) else "")
        part([f'Content-Disposition: form-data; name="{f.part}"; filename="{ascii_name}"',
              f"Content-Type: {f.content_type}"], f.content)
    out.extend(f"--{boundary}--\r\n".encode())
    return PreparedSubmission(bytes(out), f"multipart/form-data; boundary={boundary}")


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class FondsError(Exception):
    """A refusal from Fonds (an RFC 9457 problem document) or a transport failure."""

    def __init__(self, status: int | None, problem: Mapping[str, Any] | None, message: str):
        super().__init__(message)
        self.status = status
        self.problem = dict(problem or {})
        self.code = self.problem.get("code")


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


class FondsClient:
    """A signing client for one Fonds client id.

    ``base_url`` is the server root, e.g. ``http://127.0.0.1:8080`` (a trailing ``/api/v1`` is
    tolerated). If Fonds is served under a path prefix, the prefix is part of the signed path,
    so a reverse proxy in front of Fonds must pass the path through unchanged.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        algorithm: str = "hmac-sha256",
        *,
        session=None,
        timeout: float = 60.0,
        max_attempts: int = 4,
        verify_tls: bool | str = True,
    ) -> None:
        if algorithm not in SCHEMES:
            raise ValueError(f"unknown algorithm {algorithm!r}: use hmac-sha256 or hmac-sm3")
        if not CLIENT_ID_RE.match(client_id):
            raise ValueError("a client id is fc_ followed by 24 lower-case hex digits")
        if not SECRET_RE.match(secret):
            raise ValueError("a client secret is fcs_ followed by 64 lower-case hex digits")
        base = base_url.rstrip("/")
        if base.endswith("/api/v1"):
            base = base[: -len("/api/v1")]
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--base must be an http(s) URL, not {base_url!r}")
        self.base_url = base
        self._prefix = parts.path  # signed as part of the path
        self.client_id = client_id
        self._secret = secret
        self.algorithm = algorithm
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.verify_tls = verify_tls
        if session is None:
            import requests  # imported here so that `selftest` runs without it

            session = requests.Session()
        self.session = session

    def __repr__(self) -> str:  # never show the secret
        return f"FondsClient({self.base_url!r}, {self.client_id!r}, <secret>, {self.algorithm!r})"

    # -- signing ------------------------------------------------------------------------------

    def sign(self, method: str, path: str, query: str = "", body: bytes = b"") -> dict[str, str]:
        """The signing headers for a request to ``path`` (without the server's path prefix)."""
        return sign_request(self.algorithm, self.client_id, self._secret, method,
                            self._prefix + path, query, body)

    # -- transport ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        retry: bool,
        timeout: float | None = None,
    ):
        """Sends a signed request; returns the ``requests.Response`` of a 2xx answer.

        With ``retry``, network errors, 429 (after ``Retry-After``) and 5xx are retried with
        exponential back-off and full jitter, each attempt freshly signed (new timestamp and
        nonce) over the same body. Any other 4xx is raised at once as ``FondsError``: it will
        fail again until the request is fixed.
        """
        import requests

        url = self.base_url + path + (f"?{query}" if query else "")
        attempt = 0
        while True:
            attempt += 1
            send = dict(headers or {})
            send.update(self.sign(method, path, query, body))
            try:
                response = self.session.request(
                    method, url, data=body if body else None, headers=send,
                    timeout=timeout or self.timeout, verify=self.verify_tls,
                    allow_redirects=False)
            except (requests.ConnectionError, requests.Timeout) as e:
                if retry and attempt < self.max_attempts:
                    self._back_off(attempt, None, f"network error: {e}")
                    continue
                raise FondsError(None, None, f"{method} {path}: network error: {e}") from e
            if 200 <= response.status_code < 300:
                return response
            transient = response.status_code == 429 or response.status_code >= 500
            if retry and transient and attempt < self.max_attempts:
                self._back_off(attempt, _retry_after_seconds(response.headers.get("Retry-After")),
                               f"HTTP {response.status_code}")
                continue
            raise self._error(method, path, response)

    @staticmethod
    def _back_off(attempt: int, retry_after: float | None, why: str) -> None:
        delay = retry_after if retry_after is not None else random.uniform(0, min(30, 2 ** attempt))
        delay = min(delay, 300.0)
        print(f"  {why}; retrying in {delay:.1f} s", file=sys.stderr)
        time.sleep(delay)

    @staticmethod
    def _error(method: str, path: str, response) -> FondsError:
        problem: dict[str, Any] = {}
        try:
            parsed = response.json()
            if isinstance(parsed, dict):
                problem = parsed
        except ValueError:
            pass
        code = problem.get("code", "?")
        detail = problem.get("detail") or problem.get("title") or response.text[:200]
        return FondsError(response.status_code, problem,
                          f"{method} {path}: HTTP {response.status_code} {code}: {detail}")

    # -- the API ------------------------------------------------------------------------------

    @staticmethod
    def prepare(manifest: Mapping[str, Any], files: Sequence[FilePart]) -> PreparedSubmission:
        """Builds a submission's body once, so that retries send identical bytes."""
        return build_multipart(manifest, files)

    def submit(
        self,
        manifest: Mapping[str, Any],
        files: Sequence[FilePart],
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Submits records; returns the receipt (``submission_id``, ``state``, ``status_url``…).

        An ``Idempotency-Key`` is always sent (a fresh one when none is given), so that the
        transient failures retried here can never create a submission twice.
        """
        return self.submit_prepared(self.prepare(manifest, files), idempotency_key)

    def submit_prepared(
        self, prepared: PreparedSubmission, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Sends a prepared submission (the same bytes each time) under an idempotency key."""
        key = idempotency_key or f"sub-{secrets.token_hex(16)}"
        if not IDEMPOTENCY_KEY_RE.match(key):
            raise ValueError("an Idempotency-Key is 1 to 128 printable ASCII characters")
        response = self.request(
            "POST", "/api/v1/submissions", "", prepared.body,
            {"Content-Type": prepared.content_type, "Idempotency-Key": key,
             "Accept": "application/json"},
            retry=True)
        return response.json()

    def status(self, submission_id: str, wait: int | None = None) -> dict[str, Any]:
        """A submission's state; with ``wait`` (seconds), Fonds answers as soon as the outcome
        is known or when the wait is over."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", submission_id):
            raise ValueError(f"not a submission id: {submission_id!r}")
        query = f"wait={int(wait)}" if wait else ""
        response = self.request(
            "GET", f"/api/v1/submissions/{submission_id}", query, b"",
            {"Accept": "application/json"}, retry=True,
            timeout=self.timeout + (wait or 0))
        return response.json()

    def wait_for_outcome(self, submission_id: str, wait: int = 30,
                         deadline: float = 300.0) -> dict[str, Any]:
        """Polls with ``?wait=`` until the state is ``accepted`` or ``rejected`` (or the deadline
        passes), and returns the last status."""
        end = time.monotonic() + deadline
        while True:
            status = self.status(submission_id, wait)
            if status.get("state") in ("accepted", "rejected") or time.monotonic() >= end:
                return status


# --------------------------------------------------------------------------------------------
# Demo material: a 记账凭证 with its 数电票 and OA approval form
# --------------------------------------------------------------------------------------------


def tiny_pdf(lines: Sequence[str]) -> bytes:
    """A tiny but valid one-page PDF 1.4 showing ``lines`` (ASCII) in Helvetica.

    Fonds runs the four-properties check (四性检测) on every submission and opens each file with
    its format's reader, so a file named ``.pdf`` must really be a PDF: a catalog, one page, a
    content stream, a cross-reference table giving each object's byte offset (10 digits) and a
    trailer with ``/Size`` and ``/Root``, with ``startxref`` pointing at the table. A real system
    sends the PDF it already has; this builds one so the demo needs no PDF library.
    """
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "".join(f"({esc(line)}) Tj T* " for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 56 780 Td {text}ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the second line marks it binary
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def invoice_xml(number: str, issued: str, seller: tuple[str, str], buyer: tuple[str, str],
                item: str, amount: str, rate: str, tax: str, total: str) -> bytes:
    """A 数电票 XML shaped like the public samples (see DOMAIN.md §6.3); unsigned demo data."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header>
    <EIid>{number}</EIid>
  </Header>
  <EInvoiceData>
    <SellerInformation>
      <SellerIdNum>{seller[1]}</SellerIdNum>
      <SellerName>{seller[0]}</SellerName>
    </SellerInformation>
    <BuyerInformation>
      <BuyerIdNum>{buyer[1]}</BuyerIdNum>
      <BuyerName>{buyer[0]}</BuyerName>
    </BuyerInformation>
    <BasicInformation>
      <TotalAmWithoutTax>{amount}</TotalAmWithoutTax>
      <TotalTaxAm>{tax}</TotalTaxAm>
      <TotalTax-includedAmount>{total}</TotalTax-includedAmount>
      <RequestTime>{issued}</RequestTime>
      <WhetherEinvoiceIsRedEinvoice>N</WhetherEinvoiceIsRedEinvoice>
    </BasicInformation>
    <IssuItemInformation>
      <ItemName>{item}</ItemName>
      <Quantity>1</Quantity>
      <UnPrice>{amount}</UnPrice>
      <Amount>{amount}</Amount>
      <TaxRate>{rate}</TaxRate>
      <ComTaxAm>{tax}</ComTaxAm>
      <TotaltaxIncludedAmount>{total}</TotaltaxIncludedAmount>
    </IssuItemInformation>
  </EInvoiceData>
  <TaxSupervisionInfo>
    <InvoiceNumber>{number}</InvoiceNumber>
    <IssueTime>{issued}</IssueTime>
  </TaxSupervisionInfo>
</EInvoice>
""".encode("utf-8")


def demo_submission(fonds: str, today: _dt.date | None = None,
                    tag: str = "PY") -> tuple[dict[str, Any], list[FilePart]]:
    """One 记账凭证 (a hotel bill paid by bank: 1,000.00 + 6 % VAT 60.00 = 1,060.00) with three
    files: the voucher PDF, the 数电票 XML and the OA approval form. Numbers carry a random
    suffix, since a voucher number is unique per period and reruns must not collide."""
    today = today or _dt.date.today()
    suffix = secrets.token_hex(4).upper()
    voucher_number = f"记-{tag}{suffix}"
    key = f"OA-{today.year}-{tag}{suffix}"
    invoice_number = f"{today.year % 100:02d}312" + "".join(
        secrets.choice("0123456789") for _ in range(15))
    issued = f"{today.isoformat()} 09:30:00"
    seller = ("上海示范酒店管理有限公司", "91310000MA1FL8XQ2K")
    buyer = ("华东示范科技有限公司", "91310115MA1K4ABC9X")

    voucher_pdf = tiny_pdf([
        "Accounting voucher (ji zhang ping zheng)",
        f"Number: {voucher_number.replace('记', 'JI')}   Date: {today.isoformat()}",
        "Summary: hotel expenses, business trip to Beijing",
        "Dr 6602.01 Administrative expenses - travel        1000.00",
        "Dr 2221.01.01 VAT payable - input tax                  60.00",
        "Cr 1002 Bank deposits                                1060.00",
        "Attachments: 2 (e-invoice, OA approval form)",
        "Prepared: Zhang San   Reviewed: Li Si",
    ])
    invoice = invoice_xml(invoice_number, issued, seller, buyer, "*住宿服务*住宿费",
                          "1000.00", "6%", "60.00", "1060.00")
    approval_pdf = tiny_pdf([
        "OA approval form - travel reimbursement",
        f"Request: {key}",
        "Applicant: Zhang San (Sales)   Amount: CNY 1060.00",
        "1. Department head Wang Wu: approved",
        "2. Finance Li Si: approved",
    ])
    files = [
        FilePart("voucher", f"{voucher_number}.pdf", voucher_pdf, "application/pdf"),
        FilePart("approval", f"审批单-{key}.pdf", approval_pdf, "application/pdf"),
        FilePart("invoice", f"发票-{invoice_number}.xml", invoice, "application/xml"),
    ]
    roles = {"voucher": "main", "approval": "approval_form", "invoice": "invoice"}
    manifest = {
        "fonds": fonds,
        "records": [{
            "key": key,
            "kind": "accounting_voucher",
            "fiscal_year": today.year,
            "period": today.month,
            "voucher_number": voucher_number,
            "date": today.isoformat(),
            "title": "报销差旅住宿费",
            "amount": "1060.00",
            "preparer": "张三",
            "reviewer": "李四",
            "attachment_count": 2,
            "source_reference": key,
            "entries": [
                {"summary": "报销差旅住宿费", "account_code": "6602.01",
                 "account_name": "管理费用-差旅费", "debit": "1000.00"},
                {"summary": "报销差旅住宿费", "account_code": "2221.01.01",
                 "account_name": "应交税费-应交增值税(进项税额)", "debit": "60.00"},
                {"summary": "报销差旅住宿费", "account_code": "1002",
                 "account_name": "银行存款", "credit": "1060.00"},
            ],
            "files": [
                {"part": f.part, "role": roles[f.part], "file_name": f.file_name,
                 "sha256": hashlib.sha256(f.content).hexdigest()}
                for f in files
            ],
        }],
    }
    return manifest, files


# --------------------------------------------------------------------------------------------
# The worked example and the self-test
# --------------------------------------------------------------------------------------------

EXAMPLE = {
    "client_id": "fc_0123456789abcdef01234567",
    "secret": "fcs_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "method": "POST",
    "path": "/api/v1/submissions",
    "query": "wait=5&b=2&a=1",
    "timestamp": "1700000000",
    "nonce": "n0nce-Example_123456",
    "body": b"hello, fonds!",
}
EXPECTED = {
    "canonical_query": "a=1&b=2&wait=5",
    "body_sha256": "029a6dc2b2fb96b906546e83eb902d36c06858a9179d8019dbed6246319ce06e",
    "hmac-sha256": "543592444693b1d9541a820374fd0859714951a93b792bdbeacfdd3c41c7e1ee",
    "hmac-sm3": "64d763be942ff6d37df0e4d9c9e66ee9b7e72ce4e1deec9a3e275402c572abdd",
}


def worked_example() -> dict[str, str]:
    """The worked example's values, computed by this file's code."""
    ex = EXAMPLE
    out = {"canonical_query": canonical_query(ex["query"]),
           "body_sha256": hashlib.sha256(ex["body"]).hexdigest()}
    for algorithm in SCHEMES:
        out[f"string_to_sign {algorithm}"] = string_to_sign(
            algorithm, ex["client_id"], ex["method"], ex["path"], ex["query"], ex["timestamp"],
            ex["nonce"], out["body_sha256"])
        out[algorithm] = sign_request(
            algorithm, ex["client_id"], ex["secret"], ex["method"], ex["path"], ex["query"],
            ex["body"], ex["timestamp"], ex["nonce"])[H_SIGNATURE]
    return out


def selftest() -> int:
    """Prints the worked example (the same block, byte for byte, as the Java client's), then
    checks SM3, HMAC, the example's expected values, webhook verification and the demo."""
    ex = EXAMPLE
    values = worked_example()
    print("worked example")
    print(f"client id:       {ex['client_id']}")
    print(f"secret:          {ex['secret']}")
    print(f"request:         {ex['method']} {ex['path']}?{ex['query']}")
    print(f"timestamp:       {ex['timestamp']}")
    print(f"nonce:           {ex['nonce']}")
    print(f"body:            {ex['body'].decode()} ({len(ex['body'])} bytes)")
    print(f"canonical query: {values['canonical_query']}")
    print(f"body sha256:     {values['body_sha256']}")
    for algorithm in ("hmac-sha256", "hmac-sm3"):
        print(f"string to sign ({SCHEMES[algorithm]}):")
        print(values[f"string_to_sign {algorithm}"])
        print(f"signature ({SCHEMES[algorithm]}): {values[algorithm]}")
    print("checks")

    failures = []

    def check(name: str, got: str, want: str) -> None:
        ok = got == want
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
        if not ok:
            print(f"     got:      {got}")
            print(f"     expected: {want}")
            failures.append(name)

    check('SM3("abc")', sm3(b"abc").hex(),
          "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    check('SM3("abcd" x 16)', sm3(b"abcd" * 16).hex(),
          "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    data = bytes(range(256)) * 5
    h = SM3()
    for i in range(0, len(data), 37):  # across block boundaries
        h.update(data[i:i + 37])
    check("SM3 incremental == one-shot", h.hexdigest(), sm3(data).hex())
    key = ex["secret"].encode()
    check("HMAC-SHA256 by RFC 2104 == hmac module",
          hmac_rfc2104(lambda b: hashlib.sha256(b).digest(), key, data).hex(),
          _std_hmac.new(key, data, hashlib.sha256).hexdigest())
    if "sm3" in hashlib.algorithms_available:  # OpenSSL's SM3, when this Python has it
        check("SM3 == OpenSSL sm3", sm3(data).hex(), hashlib.new("sm3", data).hexdigest())
        check("HMAC-SM3 == hmac over OpenSSL sm3", hmac_sm3(key, data).hex(),
              _std_hmac.new(key, data, "sm3").hexdigest())

    for name in ("canonical_query", "body_sha256", "hmac-sha256", "hmac-sm3"):
        check(f"worked example {name}", values[name], EXPECTED[name])

    for algorithm in ("hmac-sha256", "hmac-sm3"):
        headers = sign_request(algorithm, ex["client_id"], ex["secret"], ex["method"],
                               ex["path"], ex["query"], ex["body"], ex["timestamp"], ex["nonce"])
        now = int(ex["timestamp"]) + 10

        def verify(body=ex["body"], path=ex["path"], at=now, hs=headers):
            return verify_webhook(hs, body, ex["client_id"], ex["secret"], algorithm, path,
                                  ex["query"], now=at)

        lower = {k.lower(): v for k, v in headers.items()}
        results = [verify(), verify(body=ex["body"] + b" "), verify(at=now + TIMESTAMP_WINDOW),
                   verify(path="/hooks/other"), verify(hs=lower)]
        check(f"verify_webhook {algorithm}: good, tampered, stale, other path, lower-case",
              " ".join(map(str, results)), "True False False False True")

    manifest, files = demo_submission("Z001", _dt.date(2024, 3, 5))
    record = manifest["records"][0]
    debit = sum(int(e.get("debit", "0").replace(".", "")) for e in record["entries"])
    credit = sum(int(e.get("credit", "0").replace(".", "")) for e in record["entries"])
    amount = int(record["amount"].replace(".", ""))
    check("demo voucher: debits = credits = amount", f"{debit} {credit}", f"{amount} {amount}")
    prepared = build_multipart(manifest, files)
    check("demo body names every part",
          str(all(f'name="{f.part}"'.encode() in prepared.body for f in files)), "True")

    if failures:
        print(f"selftest FAILED: {', '.join(failures)}")
        return 1
    print("selftest passed")
    return 0


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


#: What to do next, for the refusals a first integration meets most.
HINTS = {
    "signature_invalid": "check that --algorithm matches the client's configured algorithm "
                         "and that --secret is the client's current secret",
    "client_unknown": "check --client: create one with `fonds client add NAME --fonds Z001`",
    "timestamp_out_of_window": "this machine's clock is more than 300 s off: sync it (NTP)",
    "client_scope_denied": "the client may not submit to this fonds or record kind",
    "address_not_allowed": "this address is outside the client's IP allow-list",
    "fonds_not_found": "check --fonds",
    "client_disabled": "an administrator disabled the client",
}


def submit_demo(args: argparse.Namespace) -> int:
    secret = args.secret or os.environ.get("FONDS_CLIENT_SECRET", "")
    try:
        client = FondsClient(args.base, args.client, secret, args.algorithm)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    manifest, files = demo_submission(args.fonds)
    record = manifest["records"][0]
    prepared = client.prepare(manifest, files)  # built once: a retry sends these very bytes
    key = f"demo-{record['key']}"
    try:
        print(f"submitting {record['voucher_number']} ({len(files)} files, "
              f"{len(prepared.body)} bytes) as {client.client_id} with {args.algorithm}",
              file=sys.stderr)
        first = client.submit_prepared(prepared, key)
        print(f"receipt: {json.dumps(first, ensure_ascii=False)}", file=sys.stderr)
        again = client.submit_prepared(prepared, key)
        same = again.get("submission_id") == first.get("submission_id")
        print(f"retry with the same Idempotency-Key -> {again.get('submission_id')} "
              f"({'same submission' if same else 'DIFFERENT submission'})", file=sys.stderr)
        if not same:
            return 1
        status = client.wait_for_outcome(first["submission_id"], wait=30)
    except FondsError as e:
        print(f"error: {e}", file=sys.stderr)
        if e.code in HINTS:
            print(f"hint: {HINTS[e.code]}", file=sys.stderr)
        if e.problem:
            print(json.dumps(e.problem, ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(status, ensure_ascii=False, indent=2))
    return 0 if status.get("state") == "accepted" else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fonds example client (signed requests)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("selftest", help="check SM3, HMAC and the worked example; no network")
    demo = sub.add_parser("submit-demo", help="submit one 记账凭证 with three files and wait")
    demo.add_argument("--base", required=True, help="server root, e.g. http://127.0.0.1:8080")
    demo.add_argument("--client", required=True, help="client id, fc_ + 24 hex")
    demo.add_argument("--secret", help="client secret, fcs_ + 64 hex "
                                       "(default: $FONDS_CLIENT_SECRET)")
    demo.add_argument("--algorithm", choices=sorted(SCHEMES), default="hmac-sha256",
                      help="the algorithm configured for the client (default hmac-sha256)")
    demo.add_argument("--fonds", default="Z001", help="fonds code (default Z001)")
    args = parser.parse_args(argv)
    if args.command == "selftest":
        return selftest()
    return submit_demo(args)


if __name__ == "__main__":
    sys.exit(main())
