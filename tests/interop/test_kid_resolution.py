"""A VC-JWT's `kid` resolved the generic way: did:web over HTTPS, then the DID document alone.

js/resolve-kid.mjs knows nothing of Laurel's JWKS: it turns the kid's DID into the
did:web URL, fetches the DID document from a loopback HTTPS server (its certificate
given to node as NODE_EXTRA_CA_CERTS), finds the verification method the kid names
among the assertion methods, imports its publicKeyJwk and verifies with jose.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.credentials.did import build_did_document
from app.credentials.did import did_document_json
from app.credentials.keys import KeyStore
from app.credentials.signing import sign_credential
from tests.credentials.samples import NOW
from tests.credentials.samples import SCHOOL
from tests.credentials.samples import sample_credential
from tests.fixtures.node import NodeScripts

from .issuer import VERIFY_AT

pytestmark = pytest.mark.node


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "localhost.pem", directory / "localhost.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


class DidHost:
    """A did:web host on loopback HTTPS: its DID and the document it serves."""

    def __init__(self, port: int) -> None:
        self.did = f"did:web:localhost%3A{port}"
        self.document = b"{}"


@pytest.fixture
def did_host(tmp_path, monkeypatch):
    certificate, key = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    host: DidHost

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path != "/.well-known/did.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/did+json")
            self.send_header("Content-Length", str(len(host.document)))
            self.end_headers()
            self.wfile.write(host.document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("localhost", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    host = DidHost(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", str(certificate))
    yield host
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(tmp_path) -> KeyStore:
    store = KeyStore(tmp_path / "keys", "kid-resolution-passphrase")
    store.init(now=NOW)
    return store


def _jwt(store: KeyStore, did: str, number: int = 0) -> str:
    credential = sample_credential(number, issuer=replace(SCHOOL, id=did))
    token = sign_credential(credential, keystore=store, now=NOW).jwt
    assert token is not None
    return token


def _serve(host: DidHost, store: KeyStore) -> None:
    host.document = did_document_json(build_did_document(host.did, store.records())).encode()


def _resolve(node_scripts: NodeScripts, token: str) -> dict:
    result: dict = node_scripts.run("resolve-kid", {"jwt": token, "now": VERIFY_AT})
    return result


def test_kid_resolved_in_did_document_verifies_with_jose(node_scripts, did_host, store):
    """Does a verifier that only resolves the kid's DID find Laurel's RSA key and verify?"""
    token = _jwt(store, did_host.did)
    _serve(did_host, store)

    result = _resolve(node_scripts, token)

    assert result["verified"] is True, result["error"]
    assert result["header"]["kid"] == f"{did_host.did}#rsa-1"
    assert result["payload"]["iss"] == did_host.did
    assert result["documentBytes"] <= 8 * 1024


def test_kid_of_jwt_signed_before_rsa_rotation_still_resolves(node_scripts, did_host, store):
    before = _jwt(store, did_host.did, 1)
    store.rotate(now=NOW, kind="rsa")
    after = _jwt(store, did_host.did, 2)
    _serve(did_host, store)

    for token, fragment in ((before, "rsa-1"), (after, "rsa-2")):
        result = _resolve(node_scripts, token)
        assert result["verified"] is True, result["error"]
        assert result["header"]["kid"].endswith(f"#{fragment}")


def test_kid_not_found_in_ed25519_only_document(node_scripts, did_host, store):
    """Without the JsonWebKey methods (Laurel before), a generic verifier cannot find the key."""
    token = _jwt(store, did_host.did)
    records = [record for record in store.records() if record.kind == "ed25519"]
    did_host.document = did_document_json(build_did_document(did_host.did, records)).encode()

    result = _resolve(node_scripts, token)

    assert result["verified"] is False
    assert "is not a verification method" in result["error"]


def test_kid_resolves_but_tampered_payload_fails(node_scripts, did_host, store):
    header, payload, signature = _jwt(store, did_host.did).split(".")
    _serve(did_host, store)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Something never earned"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    result = _resolve(node_scripts, ".".join([header, forged_payload, signature]))

    assert result["verified"] is False
    assert result["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


def test_kid_of_other_key_in_did_document_for_another_did_fails(node_scripts, did_host, store):
    """A DID document whose id is another DID is not the kid's document."""
    token = _jwt(store, did_host.did)
    other = build_did_document("did:web:elsewhere.test", store.records())
    did_host.document = did_document_json(other).encode()

    result = _resolve(node_scripts, token)

    assert result["verified"] is False
    assert "not did:web:localhost" in result["error"]
