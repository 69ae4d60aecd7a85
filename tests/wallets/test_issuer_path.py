"""A school whose public URL has a path (https://school.example/laurel): its OpenID4VCI and
OAuth metadata are found with the well-known path inserted between the host and that path
(OpenID4VCI 1.0 §12.2.2, RFC 8414 §3.1), and a wallet library finds them there."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server

from app.wallets.openid4vci import AUTHORIZATION_SERVER_WELL_KNOWN
from app.wallets.openid4vci import ISSUER_WELL_KNOWN
from app.wallets.openid4vci import JWT_VC_JSON
from app.wallets.openid4vci import LDP_VC
from app.wallets.openid4vci import PRE_AUTHORIZED_GRANT
from app.wallets.openid4vci import well_known_url
from tests.wallets.conftest import live_offer_page

SCHOOL = "https://school.example/laurel"
PREFIX = "/laurel"


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://school.example", "https://school.example/.well-known/openid-credential-issuer"),
        (
            "https://school.example/laurel",
            "https://school.example/.well-known/openid-credential-issuer/laurel",
        ),
        (
            "https://school.example:8443/district/laurel/",
            "https://school.example:8443/.well-known/openid-credential-issuer/district/laurel",
        ),
    ],
)
def test_the_well_known_path_goes_between_host_and_path(public_url, expected):
    assert well_known_url(public_url, ISSUER_WELL_KNOWN) == expected


@pytest.fixture
def school_at_path(app_config):
    app_config["LAUREL_PUBLIC_URL"] = SCHOOL


def test_metadata_at_the_inserted_well_known_paths_names_the_path_bearing_issuer(
    school_at_path, client
):
    metadata = client.get(f"{ISSUER_WELL_KNOWN}{PREFIX}")
    server = client.get(f"{AUTHORIZATION_SERVER_WELL_KNOWN}{PREFIX}")

    assert metadata.status_code == 200
    assert metadata.get_json()["credential_issuer"] == SCHOOL
    assert metadata.get_json()["credential_endpoint"] == f"{SCHOOL}/openid4vci/credential"
    assert metadata.get_json()["nonce_endpoint"] == f"{SCHOOL}/openid4vci/nonce"
    assert server.status_code == 200
    assert server.get_json()["issuer"] == SCHOOL
    assert server.get_json()["token_endpoint"] == f"{SCHOOL}/openid4vci/token"
    # The older form, appended to the public URL (which the proxy strips), still answers.
    assert client.get(ISSUER_WELL_KNOWN).get_json()["credential_issuer"] == SCHOOL


@pytest.mark.parametrize(
    "path", ["/other", "/laurel/extra", "/LAUREL", "/laurel%2F..%2Fother"], ids=str
)
def test_another_issuers_well_known_path_is_a_json_404(school_at_path, client, path):
    for well_known in (ISSUER_WELL_KNOWN, AUTHORIZATION_SERVER_WELL_KNOWN):
        answer = client.get(f"{well_known}{path}")

        assert answer.status_code == 404
        assert answer.get_json()["error"] == "NotFound"


def test_a_school_at_the_hosts_root_has_no_path_after_the_well_known(client):
    assert client.get(ISSUER_WELL_KNOWN).status_code == 200
    assert client.get(f"{ISSUER_WELL_KNOWN}{PREFIX}").status_code == 404
    assert client.get(f"{AUTHORIZATION_SERVER_WELL_KNOWN}{PREFIX}").status_code == 404


class SchoolProxy:
    """The school's reverse proxy: /laurel/… goes to Laurel with the prefix stripped, the two
    inserted well-known addresses go to Laurel as they are, anything else is the school
    site's 404. Records what it was asked and answered."""

    def __init__(self) -> None:
        self.app = None
        self.answers: list[tuple[str, int]] = []

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path.startswith(PREFIX + "/"):
            environ["PATH_INFO"] = path[len(PREFIX) :]
        elif path not in (
            f"{ISSUER_WELL_KNOWN}{PREFIX}",
            f"{AUTHORIZATION_SERVER_WELL_KNOWN}{PREFIX}",
        ):
            self.answers.append((path, 404))
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"The school site has no such page."]

        def recording(status, headers, exc_info=None):
            self.answers.append((path, int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return self.app(environ, recording)


@pytest.fixture
def proxied_school(request, app_config):
    """Laurel behind the school's proxy at http://127.0.0.1:<port>/laurel: (origin, proxy)."""
    proxy = SchoolProxy()
    server = make_server("127.0.0.1", 0, proxy, threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    app_config["LAUREL_PUBLIC_URL"] = origin + PREFIX
    proxy.app = request.getfixturevalue("app")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin, proxy
    server.shutdown()
    thread.join(timeout=10)


def test_openid4vci_client_library_finds_a_path_bearing_issuer(
    proxied_school, school, issued, node_scripts
):
    origin, proxy = proxied_school
    made = live_offer_page(origin + PREFIX, school.student, issued, "openid4vci")
    assert made.status == 200 and made.pin

    result = node_scripts.run(
        "wallet-openid4vci",
        {
            "offer": made.link,
            "pin": made.pin,
            "requests": [
                {"configuration": LDP_VC, "signer": "did"},
                {"configuration": JWT_VC_JSON, "signer": "jwk"},
            ],
        },
    )

    assert result["issuer"] == origin + PREFIX
    assert result["offer"]["credential_issuer"] == origin + PREFIX
    assert PRE_AUTHORIZED_GRANT in result["offer"]["grants"]
    ldp, as_jwt = result["credentials"]
    assert ldp["credential"] == json.loads(issued.json_text)
    assert as_jwt["credential"] == issued.jwt_text
    assert (f"{ISSUER_WELL_KNOWN}{PREFIX}", 200) in proxy.answers
    assert (f"{AUTHORIZATION_SERVER_WELL_KNOWN}{PREFIX}", 200) in proxy.answers
    # Found at the inserted address first: the older appended one was never needed.
    assert not any(path == f"{PREFIX}{ISSUER_WELL_KNOWN}" for path, _ in proxy.answers)
