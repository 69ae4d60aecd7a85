"""The largest inputs the verifier accepts, in the shapes that cost the most memory.

Shared by tests/verify/test_memory.py and bench/verify_memory.py. Each builder
returns bytes just inside the limits of app.verify.core.parse; `peak_memory`
runs the offline pipeline on a file in a fresh interpreter and reports how far
its resident memory rose (ru_maxrss after the imports, then after reading the
input and verifying it: the input's own bytes count).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.verify.core.parse import MAX_CREDENTIAL_BYTES
from app.verify.core.parse import MAX_INPUT_BYTES
from app.verify.core.parse import MAX_JSON_CONTAINERS
from app.verify.core.parse import MAX_PDF_OBJECTS
from app.verify.core.parse import MAX_SVG_ELEMENTS
from tests.credentials.samples import sample_credential
from tests.verify.factory import did_key_forgery
from tests.verify.factory import itxt_chunk
from tests.verify.factory import pdf_with
from tests.verify.factory import plain_png

# Room for the signed credential's own objects under MAX_JSON_CONTAINERS.
_SPARE_CONTAINERS = 200


def _signed() -> dict[str, Any]:
    return did_key_forgery(sample_credential(1))[0]


def _with_list(unit: str, count: int) -> str:
    """The signed credential (then tampered) with its "evidence" replaced by `unit` repeated."""
    document = _signed()
    document["evidence"] = []
    text = json.dumps(document)
    room = MAX_CREDENTIAL_BYTES - len(text) - 64
    count = min(room // (len(unit) + 2), count)
    return text.replace('"evidence": []', '"evidence": [' + ", ".join([unit] * count) + "]")


def many_objects() -> bytes:
    """Evidence items of two containers each (the object and its type list)."""
    count = (MAX_JSON_CONTAINERS - _SPARE_CONTAINERS) // 2
    return _with_list('{"id": "urn:x:1", "type": ["Evidence"], "name": "n"}', count).encode()


def deep_arrays() -> bytes:
    depth = 60
    unit = "[" * depth + "1" + "]" * depth
    return _with_list(unit, (MAX_JSON_CONTAINERS - _SPARE_CONTAINERS) // depth).encode()


def huge_string() -> bytes:
    document = _signed()
    text = json.dumps(document)
    filler = "x" * (MAX_CREDENTIAL_BYTES - len(text) - 64)
    return json.dumps({**document, "description": filler}).encode()


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_many_objects() -> bytes:
    """A compact JWT whose payload is `many_objects` (the signature cannot match)."""
    header = _b64url(json.dumps({"alg": "EdDSA", "typ": "vc+jwt"}).encode())
    payload = many_objects()
    return f"{header}.{_b64url(payload)}.{_b64url(b'x' * 64)}".encode()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_many_chunks() -> bytes:
    png = plain_png()
    credential = itxt_chunk(json.dumps(_signed()))
    tiny = _png_chunk(b"tEXt", b"a\x00b")
    count = (MAX_INPUT_BYTES - len(png) - len(credential) - 64) // len(tiny)
    return png[:33] + credential + tiny * count + png[33:]


def svg_many_elements() -> bytes:
    head = (
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential><![CDATA["
        + json.dumps(_signed()).encode()
        + b"]]></openbadges:credential>"
    )
    elements = b'<g id="g"/>' * (MAX_SVG_ELEMENTS - 16)
    # The rest of the 10 MB in one long attribute (an embedded raster image's shape).
    filler = MAX_INPUT_BYTES - len(head) - len(elements) - 64
    return head + elements + b'<image href="data:,' + b"A" * filler + b'"/></svg>'


def _pdf(count: int, size: int) -> bytes:
    attachments = {"credential.json": json.dumps(_signed()).encode()}
    for number in range(count):
        attachments[f"file-{number}.txt"] = b"x" * size
    return pdf_with(attachments)


def pdf_big_attachments() -> bytes:
    """Attachments up to the input size (under the attachment cap)."""
    return _pdf(95, 100_000)


def pdf_many_objects() -> bytes:
    """Tiny attachments up to the object cap: each is three objects (spec, stream, name)."""
    return _pdf(MAX_PDF_OBJECTS // 3 - 100, 1)


def json_over_the_limit() -> bytes:
    """Ten megabytes of tiny objects: the shape that once cost over a gigabyte."""
    return b'{"type": ["VerifiableCredential"], "evidence": [' + b"{}," * 3_400_000 + b"{}]}"


SHAPES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "json-many-objects": ("credential.json", many_objects),
    "json-deep-arrays": ("credential.json", deep_arrays),
    "json-huge-string": ("credential.json", huge_string),
    "json-over-the-limit": ("credential.json", json_over_the_limit),
    "jwt-many-objects": ("credential.jwt", jwt_many_objects),
    "png-many-chunks": ("badge.png", png_many_chunks),
    "svg-many-elements": ("badge.svg", svg_many_elements),
    "pdf-big-attachments": ("certificate.pdf", pdf_big_attachments),
    "pdf-many-objects": ("certificate.pdf", pdf_many_objects),
}

_MEASURE = """
import json, resource, sys, tracemalloc
from datetime import UTC, datetime
from app.credentials.errors import InputError
from app.verify.core.pipeline import verify
from app.verify.core.resolvers import build_resolver
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "tracemalloc":
    tracemalloc.start()
data = open(sys.argv[1], "rb").read()
try:
    outcome = verify(data, filename=sys.argv[1], resolver=build_resolver(fetcher=None),
                     now=datetime.now(UTC)).verdict.value
except InputError as error:
    outcome = f"refused: {error}"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
traced = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps({"rise_mb": (after - before) / 1024, "traced_mb": traced, "outcome": outcome}))
"""


def peak_memory(path: Path, *, traced: bool = False) -> dict[str, Any]:
    """{"rise_mb": how far the peak resident memory rose while verifying, "outcome": …}.

    With `traced`, also "traced_mb": the peak of Python's own allocations (tracemalloc,
    slower; the image and PDF readers' C buffers are not in it).
    """
    mode = "tracemalloc" if traced else "rss"
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
