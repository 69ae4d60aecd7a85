"""The verifier's rarer sentences in Spanish: refusals of the input, a status list out of
reach, a learner record's contents, presentations and Open Badges 2.0. Each is compared with
the English the core says."""

from __future__ import annotations

import io
import json
import socket

import flask_babel
import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.credentials.clr import build_clr
from app.credentials.document import SubjectData
from app.credentials.errors import InputError
from app.credentials.errors import StatusError
from app.credentials.signing import sign_document
from app.credentials.status import StatusList
from app.main.filters import say
from app.verify.core.ob2 import Ob2Refused
from app.verify.core.ob2 import assertion_text
from app.verify.core.ob2 import check_ob2
from app.verify.core.parse import parse_input
from app.verify.core.pipeline import verify
from app.verify.core.presentation import verify_presentation
from app.verify.core.resolvers import build_resolver
from app.verify.service import run_verification
from tests.credentials.samples import NOW
from tests.credentials.samples import SCHOOL
from tests.i18n.test_beyond_templates import _visible
from tests.verify.factory import REVOCATION_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import school_documents
from tests.verify.factory import status_index
from tests.verify.factory import status_list

SPANISH = {"Accept-Language": "es"}
OB2_ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://badges.example/assertions/1",
}


def _posted(client, data: bytes):
    """The file sent as a person's browser sends it, the body built in memory (the test
    client would spool a big one to a temporary file it never closes)."""
    upload = FileStorage(io.BytesIO(data), filename="c.json", content_type="application/json")
    boundary, body = encode_multipart({"file": upload})
    return client.post(
        "/verify",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=SPANISH,
    )


def _english_refusal(data: bytes) -> str:
    with pytest.raises(InputError) as refused:
        parse_input(data, filename="c.json")
    return str(refused.value)


@pytest.mark.parametrize(
    ("data", "spanish"),
    [
        # Nested 100 levels deep: refused before json.loads could recurse.
        (b"[" * 100 + b"]" * 100, "El JSON está anidado a más de 64 niveles de profundidad"),
        # 600 KB of JSON: over the 512 KB a credential may be.
        (
            json.dumps({"name": "x" * 600_000}).encode(),
            "La credencial ocupa 585 KB; Laurel lee credenciales de hasta 512 KB",
        ),
        # 10,001 empty objects: more than a credential ever holds.
        (b"[" + b",".join([b"{}"] * 10_001) + b"]", "El JSON contiene más de 10,000 objetos"),
        # Broken JSON: the sentence in Spanish, Python's own detail quoted after it.
        (b'{"name": }', "El texto no es JSON válido (línea 1, columna 10: Expecting value)"),
        (b'{"name": "\\ud800"}', "El JSON contiene un carácter roto"),
        (json.dumps(OB2_ASSERTION).encode(), "Este es un documento de Open Badges 2.0"),
        # A PNG signature and then nothing: the image ends before its first chunk.
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 5, "La imagen PNG está cortada"),
    ],
    ids=["too-deep", "too-large", "too-many-objects", "not-json", "lone-surrogate", "ob2", "png"],
)
def test_a_refused_input_is_explained_in_spanish_only(client, data, spanish):
    english = _english_refusal(data)
    response = _posted(client, data)
    assert response.status_code == 400
    page = _visible(response.get_data(as_text=True))
    assert spanish in page
    assert english not in page
    assert english.split(" (")[0].split(";")[0] not in page


@pytest.fixture
def refused_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_status_list_out_of_reach_is_said_in_spanish(app_ctx, client, keys_dir, refused_port):
    status_url = f"http://127.0.0.1:{refused_port}/status/revocation/1"
    signed = issue(
        keys_dir.store,
        21,
        status_entries=(
            {
                "id": f"{status_url}#1021",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "1021",
                "statusListCredential": status_url,
            },
        ),
    )
    app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = True
    try:
        english = run_verification(signed.json_text.encode(), now=NOW, filename="c.json")
        response = _posted(client, signed.json_text.encode())
    finally:
        app_ctx.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False
    status = next(check for check in english.report.checks if check.name == "status")
    assert status.message == (
        "Could not check whether the credential was revoked: "
        f"{status_url} could not be reached (ConnectionError)."
    )
    page = _visible(response.get_data(as_text=True))
    for check in english.report.checks:
        assert check.message not in page, check.message
    assert "could not be reached" not in page
    assert (
        "No se pudo verificar si la credencial fue revocada: "
        f"No se pudo contactar con {status_url} (ConnectionError)."
    ) in page


def test_a_presentations_checks_are_said_in_spanish(app_ctx, keys_dir):
    """Tried: an unknown first context, a proof of another kind, a challenge not echoed."""
    presentation = {
        "@context": ["https://example.com/unknown/v1"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "proof": {"type": "RsaSignature2018", "proofPurpose": "assertionMethod"},
    }
    report = verify_presentation(
        presentation, resolver=own_resolver(keys_dir.store), now=NOW, challenge="abc"
    )
    failed = [check.message for check in report.checks if check.outcome.value == "failed"]
    assert len(failed) >= 3
    with flask_babel.force_locale("es"):
        spanish = [say(message) for message in failed]
    for english, said in zip(failed, spanish, strict=True):
        assert said != english
    assert any(said.startswith("El primer @context debe ser") for said in spanish)
    assert any(said.startswith("La prueba usa RsaSignature2018") for said in spanish)


@pytest.mark.parametrize(
    ("given", "spanish"),
    [
        ("hello there", "Esto no es JSON, ni una insignia firmada (JWS)"),
        (json.dumps(OB2_ASSERTION), "La aserción no tiene recipient"),
        (
            json.dumps(
                {
                    **OB2_ASSERTION,
                    "recipient": {},
                    "badge": "https://badges.example/b",
                    "verification": {"type": "hosted"},
                    "issuedOn": "2026-01-01",
                }
            ),
            "La aserción no coincide con la que su emisor aloja",
        ),
    ],
    ids=["not-a-badge", "no-recipient", "changed"],
)
def test_an_open_badges_2_refusal_is_said_in_spanish(app_ctx, given, spanish):
    hosted = {**OB2_ASSERTION, "recipient": {"identity": "someone@example.org"}}
    fetcher = MemoryFetcher({OB2_ASSERTION["id"]: hosted})
    with pytest.raises(Ob2Refused) as refused:
        check_ob2(given, emails=["sam@example.org"], fetcher=fetcher, now=NOW)
    with flask_babel.force_locale("es"):
        said = say(refused.value)
    assert said.startswith(spanish)
    assert said != str(refused.value)


def test_an_empty_open_badges_2_import_is_said_in_spanish(app_ctx):
    with pytest.raises(Ob2Refused) as refused:
        assertion_text(b"  ", fetcher=MemoryFetcher())
    with flask_babel.force_locale("es"):
        assert say(refused.value) == "No hay nada que importar: el archivo o el texto está vacío."


@pytest.mark.parametrize(
    ("revoked", "english", "spanish"),
    [
        ((), "All 2 credentials inside verify.", "Las 2 credenciales incluidas se verifican."),
        (
            (21,),
            "Of the credentials inside: 1 of 2 credentials was revoked: “Small-engine repair 21”.",
            "De las credenciales incluidas: 1 de 2 credenciales fue revocada: "
            "“Small-engine repair 21”.",
        ),
        (
            (20, 21),
            "Of the credentials inside: 2 of 2 credentials were revoked: “Small-engine repair "
            "20”, “Small-engine repair 21”.",
            "De las credenciales incluidas: 2 de 2 credenciales fueron revocadas: "
            "“Small-engine repair 20”, “Small-engine repair 21”.",
        ),
    ],
    ids=["none-revoked", "one-revoked", "both-revoked"],
)
def test_a_learner_records_contents_are_said_in_spanish(
    app_ctx, keys_dir, revoked, english, spanish
):
    credentials = [issue(keys_dir.store, number).document for number in (20, 21)]
    record = build_clr(
        clr_id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002",
        issuer=SCHOOL,
        subject=SubjectData(id="urn:uuid:1b7e0000-0000-4000-8000-000000000000"),
        credentials=credentials,
        valid_from=NOW,
        name="Learner record",
    )
    documents = school_documents(keys_dir.store)
    documents[REVOCATION_URL] = status_list(
        keys_dir.store, set_indexes=tuple(status_index(number) for number in revoked)
    )
    fetcher = MemoryFetcher(documents)
    report = verify(
        json.dumps(sign_document(record, keystore=keys_dir.store, now=NOW)),
        resolver=build_resolver(fetcher=fetcher),
        fetcher=fetcher,
        now=NOW,
    )
    contents = next(check for check in report.checks if check.name == "contents")
    assert contents.message == english
    with flask_babel.force_locale("es"):
        assert say(contents.message) == spanish


@pytest.mark.parametrize(
    ("encoded", "spanish"),
    [
        ("u!!!", "La lista de estado no es base64url válido."),
        ("u" + "A" * 40, "La lista de estado no son datos GZIP válidos."),
    ],
    ids=["not-base64url", "not-gzip"],
)
def test_a_damaged_status_list_is_said_in_spanish(app_ctx, encoded, spanish):
    with pytest.raises(StatusError) as damaged:
        StatusList.decode(encoded)
    with flask_babel.force_locale("es"):
        assert say(damaged.value) == spanish
