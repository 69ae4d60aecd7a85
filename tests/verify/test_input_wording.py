"""The verify page answers each kind of input in its own words: an address, pasted text, a file."""

from __future__ import annotations

import io

import pytest

from tests.fixtures.users import DEFAULT_PASSWORD  # noqa: F401  (the browser signs in nobody)


def _post(client, **fields):
    data = {"url": "", "text": "", **fields}
    return client.post("/verify", data=data, content_type="multipart/form-data")


def test_verify_link_reads_credential_from_the_address(client, issued):
    issued.share_enabled = True
    url = f"https://laurel.test/credentials/{issued.id}"
    response = _post(client, url=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert f"Read a credential from {url}" in page
    assert "JSON file" not in page


def test_verify_pasted_json_reads_the_pasted_json(client, issued):
    page = _post(client, text=issued.json_text).get_data(as_text=True)
    assert "Read a credential from the pasted JSON." in page


def test_verify_uploaded_json_reads_a_json_file(client, issued):
    upload = (io.BytesIO(issued.json_text.encode()), "credential.json")
    page = _post(client, file=upload).get_data(as_text=True)
    assert "Read a credential from a JSON file." in page


@pytest.mark.parametrize(
    "address",
    ["not a url", "laurel.test/credentials/1", "ftp://laurel.test/x", "javascript:alert(1)"],
    ids=["words", "no-scheme", "ftp-scheme", "javascript-scheme"],
)
def test_verify_address_field_not_a_web_address_says_so(client, address):
    response = _post(client, url=address)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not a web address" in page
    assert "file" not in page.split("is not a web address")[1].split("</")[0]
    assert "cannot read this file" not in page


@pytest.mark.parametrize(
    "text", ["not a credential", "hello {world"], ids=["plain-words", "stray-brace"]
)
def test_verify_pasted_text_unreadable_says_text_not_file(client, text):
    response = _post(client, text=text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "this file" not in page


def test_verify_not_genuine_heading_and_sentence_use_the_same_words(client, issued):
    tampered = issued.json_text.replace("Sam Student", "Sam Stuident")
    response = _post(client, text=tampered)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not genuine — " in page and "Not verified" not in page
