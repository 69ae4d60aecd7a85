"""Unusable input: each case is refused with a clear sentence (InputError), never a traceback."""

from __future__ import annotations

import base64
import json
import random
import time

import pytest

from app.credentials.baking import bake_png
from app.credentials.baking import bake_svg
from app.credentials.errors import InputError
from app.verify.core.fetching import HttpFetcher
from app.verify.core.parse import MAX_CREDENTIAL_BYTES
from app.verify.core.parse import MAX_INPUT_BYTES
from app.verify.core.parse import parse_input
from app.verify.core.pipeline import verify
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import NOW
from tests.verify.factory import PLAIN_SVG
from tests.verify.factory import issue
from tests.verify.factory import pdf_with
from tests.verify.factory import plain_png
from tests.verify.factory import png_with_two_credentials


def _b64raw(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64(data: dict) -> str:
    return _b64raw(json.dumps(data).encode())


@pytest.fixture(scope="module")
def signed(keys_dir):
    return issue(keys_dir.store)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg">&lol3;</svg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""
WITH_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"""


def _bad_inputs(signed) -> dict[str, tuple[bytes | str, str]]:
    """Each bad input with a word its message must contain."""
    header, _payload, _signature = signed.jwt.split(".")
    baked_png = bake_png(plain_png(), signed.json_text)
    return {
        "empty": (b"", "empty"),
        "whitespace_only": ("  \n\t  ", "empty"),
        "plain_text": ("hello, is this my badge?", "cannot read"),
        "non_utf8_bytes": (b"\xff\xfe\xfa\x00\x81garbage", "UTF-8"),
        "invalid_json": ('{"type": ["VerifiableCredential"], ', "not valid JSON"),
        "json_not_credential": (
            json.dumps({"name": "A badge", "type": "Thing"}),
            "VerifiableCredential",
        ),
        "json_array": ("[1, 2, 3]", "JSON object"),
        "json_string": ('"just a string"', "JSON object"),
        "ob2_assertion": (json.dumps({"type": "Assertion", "id": "https://x.example/a"}), "2.0"),
        "truncated_jwt": (signed.jwt[: len(signed.jwt) // 3], "JWT"),
        "jwt_alg_none": (f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'iss': 'x'})}.", "none"),
        "jwt_garbage_payload": (f"{header}.bm90IGpzb24.c2ln", "JWT"),
        "png_without_chunk": (plain_png(), "credential"),
        "png_two_chunks": (png_with_two_credentials(signed.json_text), "allows one"),
        "png_truncated": (baked_png[: len(baked_png) // 2], "PNG"),
        "svg_without_credential": (PLAIN_SVG, "credential"),
        "svg_with_dtd": (WITH_DTD, "DTD"),
        "svg_external_entity": (EXTERNAL_ENTITY, "DTD"),
        "svg_billion_laughs": (BILLION_LAUGHS, "DTD"),
        "html_page": (b"<!doctype html><html><body>Hi</body></html>", "HTML"),
        "pdf_without_attachment": (pdf_with({}), "no credential attached"),
        "pdf_other_attachment": (pdf_with({"notes.txt": b"hello"}), "no credential attached"),
        "pdf_huge_attachment": (
            pdf_with({"credential.json": b"{" + b" " * (2 * 1024 * 1024) + b"}"}),
            "larger",
        ),
        "pdf_bomb": (
            pdf_with(
                {"credential.json": b"{" + b" " * (40 * 1024 * 1024) + b"}"},
                compressed={"credential.json"},
            ),
            "larger",
        ),
        "pdf_damaged": (b"%PDF-1.7\n" + b"\x00garbage" * 100, "damaged"),
        "deeply_nested_json": ("[" * 100_000, "nested"),
        "deeply_nested_jwt_payload": (f"{header}.{_b64raw(b'[' * 100_000)}.c2ln", "nested"),
        "json_huge_number": (
            '{"type": ["VerifiableCredential"], "n": ' + "1" * 5000 + "}",
            "number",
        ),
        "deeply_nested_objects": ('{"a":' * 100_000, "nested"),
        "over_size_limit": (b"{" + b" " * (50 * 1024 * 1024) + b"}", "too large"),
    }


BAD_INPUT_IDS = [
    "empty",
    "whitespace_only",
    "plain_text",
    "non_utf8_bytes",
    "invalid_json",
    "json_not_credential",
    "json_array",
    "json_string",
    "ob2_assertion",
    "truncated_jwt",
    "jwt_alg_none",
    "jwt_garbage_payload",
    "deeply_nested_jwt_payload",
    "json_huge_number",
    "png_without_chunk",
    "png_two_chunks",
    "png_truncated",
    "svg_without_credential",
    "svg_with_dtd",
    "svg_external_entity",
    "svg_billion_laughs",
    "html_page",
    "pdf_without_attachment",
    "pdf_other_attachment",
    "pdf_huge_attachment",
    "pdf_bomb",
    "pdf_damaged",
    "deeply_nested_json",
    "deeply_nested_objects",
    "over_size_limit",
]


@pytest.fixture(scope="module")
def bad_inputs(signed):
    return _bad_inputs(signed)


def test_bad_inputs_list_is_complete(bad_inputs):
    assert sorted(bad_inputs) == sorted(BAD_INPUT_IDS)


@pytest.mark.parametrize("case", BAD_INPUT_IDS)
def test_parse_bad_input_refused_with_sentence(bad_inputs, case):
    """Is each bad input refused by the parser with a message a person can read?"""
    data, expected = bad_inputs[case]
    with pytest.raises(InputError) as raised:
        parse_input(data)
    message = str(raised.value)
    assert expected.lower() in message.lower(), message
    assert message.endswith(".") and "Traceback" not in message


@pytest.mark.parametrize("case", BAD_INPUT_IDS)
def test_verify_bad_input_refused_with_sentence(bad_inputs, keys_dir, case):
    """Does the whole pipeline refuse it the same way (no report, no crash)?"""
    data, expected = bad_inputs[case]
    with pytest.raises(InputError, match="(?i)" + expected):
        verify(data, resolver=build_resolver(fetcher=None), now=NOW)


def test_parse_over_size_limit_refused_before_parsing():
    """Is a 50 MB input refused by its size alone, without reading it?"""
    data = b"[" * (MAX_INPUT_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(InputError, match="too large"):
        parse_input(data)
    assert time.perf_counter() - started < 0.5


def test_parse_json_exactly_at_credential_limit_is_parsed():
    data = b"[" + b" " * (MAX_CREDENTIAL_BYTES - 3) + b"1]"
    with pytest.raises(InputError, match="credential is a JSON object"):
        parse_input(data)


def test_parse_json_over_credential_limit_refused_with_size():
    """Is a JSON credential over 512 KB refused before it is parsed, saying the limit?"""
    data = b"[" + b" " * (MAX_CREDENTIAL_BYTES - 2) + b"1]"
    with pytest.raises(InputError, match="up to 512 KB"):
        parse_input(data)


def test_parse_billion_laughs_baked_svg_refused(signed):
    """A DTD is refused even around a real baked credential."""
    baked = bake_svg(PLAIN_SVG, signed.json_text)
    hostile = BILLION_LAUGHS.split(b"<svg")[0] + baked
    with pytest.raises(InputError, match="DTD"):
        parse_input(hostile)


PRIVATE_URLS = {
    "loopback_ip": ("https://127.0.0.1/credential.json", None),
    "localhost_name": ("https://localhost/credential.json", ["127.0.0.1"]),
    "private_10": ("https://10.1.2.3/credential.json", None),
    "private_192": ("https://192.168.0.10/c.json", None),
    "link_local_metadata": ("https://169.254.169.254/latest/meta-data", None),
    "ipv6_loopback": ("https://[::1]/c.json", None),
    "ipv6_unique_local": ("https://[fd00::1]/c.json", None),
    "name_resolving_private": ("https://badges.school.example/c.json", ["10.0.0.7"]),
    "name_resolving_mixed": (
        "https://badges.school.example/c.json",
        ["93.184.215.14", "192.168.1.1"],
    ),
    "plain_http": ("http://badges.school.example/c.json", ["93.184.215.14"]),
}


@pytest.mark.parametrize("case", list(PRIVATE_URLS))
def test_verify_url_private_host_refused_before_connecting(case):
    """Is a URL into a private network (or not HTTPS) refused before any connection is made?"""
    url, addresses = PRIVATE_URLS[case]
    looked_up: list[str] = []

    def resolve_host(host: str) -> list[str]:
        looked_up.append(host)
        return addresses if addresses is not None else [host.strip("[]")]

    fetcher = HttpFetcher(resolve_host=resolve_host)
    with pytest.raises(InputError, match="could not download"):
        verify(url, resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW)
    if case != "plain_http":
        assert looked_up, "the host must be resolved by the injected resolver"


def test_verify_url_offline_refused():
    with pytest.raises(InputError, match="offline"):
        verify(
            "https://laurel.test/credentials/1.json", resolver=build_resolver(fetcher=None), now=NOW
        )


def _mutated(data: bytes, rng: random.Random) -> bytes:
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(mutated))
        choice = rng.random()
        if choice < 0.5:
            mutated[position] = rng.randrange(256)
        elif choice < 0.75:
            del mutated[position : position + rng.randint(1, 50)]
        else:
            mutated[position:position] = rng.randbytes(rng.randint(1, 10))
    return bytes(mutated)


@pytest.mark.parametrize("form", ["json", "jwt", "png", "svg", "pdf"])
def test_verify_randomly_damaged_input_never_crashes(signed, keys_dir, form):
    """Do damaged files always give a sentence or a report, never a traceback or internal error?"""
    samples = {
        "json": signed.json_text.encode(),
        "jwt": signed.jwt.encode(),
        "png": bake_png(plain_png(), signed.json_text),
        "svg": bake_svg(PLAIN_SVG, signed.jwt),
        "pdf": pdf_with(
            {"credential.json": signed.json_text.encode()}, compressed={"credential.json"}
        ),
    }
    rng = random.Random(f"laurel-{form}")
    for _ in range(40):
        damaged = _mutated(samples[form], rng)
        try:
            report = verify(damaged, resolver=build_resolver(fetcher=None), now=NOW)
        except InputError as error:
            assert str(error).endswith("."), str(error)
            continue
        assert not any("internal error" in check.message for check in report.checks), report.checks
