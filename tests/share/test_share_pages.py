"""The public badge page, the learner's share page, downloads, LinkedIn and status display."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from PIL import Image

from app.credentials.baking import extract_png
from app.credentials.baking import extract_svg
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.share.linkedin import add_to_profile_url
from app.share.services import linkedin_fields


def share(client, login, school, credential, value="on"):
    login(school.student)
    return client.post(f"/credentials/{credential.id}/share", data={"sharing": value})


def test_public_page_sharing_off_404(client, issued):
    assert client.get(f"/s/{issued.share_token}").status_code == 404
    assert client.get(f"/s/{issued.share_token}/og.png").status_code == 404
    assert client.get(f"/s/{issued.share_token}/download/json").status_code == 404


def test_public_page_unknown_token_404(client, issued):
    assert client.get("/s/not-a-real-token-at-all").status_code == 404


def test_share_owner_turns_on_page_shows_badge_and_live_verification(client, login, school, issued):
    response = share(client, login, school, issued)
    assert response.status_code == 302
    db.session.refresh(issued)
    assert issued.share_enabled
    client.post("/logout")
    page = client.get(f"/s/{issued.share_token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in (
        "Vehicle Restoration",
        "Sam Student",
        "Proficient",
        "Valid until 23 November 2027",
        "Genuine",
        "Brakes",
        "Photo log of the restoration",
        "og:image",
        "summary_large_image",
    ):
        assert expected in text, expected
    assert page.headers["Cache-Control"] == "private, no-store"


def test_share_owner_turns_off_page_404_credential_still_verifies(client, login, school, issued):
    share(client, login, school, issued, "on")
    share(client, login, school, issued, "off")
    assert client.get(f"/s/{issued.share_token}").status_code == 404
    assert "Genuine" in client.get(f"/credentials/{issued.id}/verify").get_data(as_text=True)


def test_share_other_student_cannot_toggle_404(client, login, school, issued):
    login(school.other_student)
    assert client.post(f"/credentials/{issued.id}/share", data={"sharing": "on"}).status_code == 404
    db.session.refresh(issued)
    assert not issued.share_enabled


def test_share_instructor_sees_page_cannot_toggle_403(client, login, school, issued):
    login(school.instructor)
    assert client.get(f"/credentials/{issued.id}/share").status_code == 200
    assert client.post(f"/credentials/{issued.id}/share", data={"sharing": "on"}).status_code == 403
    db.session.refresh(issued)
    assert not issued.share_enabled


def test_share_bad_value_400(client, login, school, issued):
    login(school.student)
    assert (
        client.post(f"/credentials/{issued.id}/share", data={"sharing": "maybe"}).status_code == 400
    )


def test_share_anonymous_settings_redirects_to_login(client, issued):
    response = client.get(f"/credentials/{issued.id}/share")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_og_image_is_1200_by_630_png(client, login, school, issued):
    share(client, login, school, issued)
    response = client.get(f"/s/{issued.share_token}/og.png")
    assert response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)


def test_downloads_each_carry_the_stored_credential(client, login, school, issued):
    share(client, login, school, issued)
    base = f"/s/{issued.share_token}/download"
    png = client.get(f"{base}/png")
    assert png.mimetype == "image/png" and "attachment" in png.headers["Content-Disposition"]
    assert extract_png(png.data) == issued.json_text
    assert extract_svg(client.get(f"{base}/svg").data) == issued.json_text
    assert client.get(f"{base}/json").get_data(as_text=True) == issued.json_text
    assert client.get(f"{base}/jwt").get_data(as_text=True) == issued.jwt_text
    assert client.get(f"{base}/pdf").data.startswith(b"%PDF-")
    assert client.get(f"{base}/exe").status_code == 404


def test_private_downloads_owner_only(client, login, school, issued):
    login(school.student)
    assert (
        extract_png(client.get(f"/credentials/{issued.id}/download/png").data) == issued.json_text
    )
    login(school.other_student)
    assert client.get(f"/credentials/{issued.id}/download/png").status_code == 404
    assert client.get(f"/credentials/{issued.id}/certificate.pdf").status_code == 404


def test_certificate_bad_paper_400(client, login, school, issued):
    login(school.student)
    response = client.get(f"/credentials/{issued.id}/certificate.pdf?paper=a3")
    assert response.status_code == 400
    assert "paper=a4 or paper=letter" in response.get_data(as_text=True)


def test_linkedin_url_prefills_every_field(app_ctx, issued):
    url = add_to_profile_url(linkedin_fields(issued, issuing_context().public_url))
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Vehicle Restoration",
        "organizationName": "School at laurel.test",
        "issueYear": "2026",
        "issueMonth": "11",
        "expirationYear": "2027",
        "expirationMonth": "11",
        "certUrl": f"https://laurel.test/credentials/{issued.id}",
        "certId": issued.id,
    }


def test_linkedin_no_expiry_omits_expiration(app_ctx, make_credential):
    credential = make_credential()
    query = parse_qs(
        urlsplit(
            add_to_profile_url(linkedin_fields(credential, issuing_context().public_url))
        ).query
    )
    assert "expirationYear" not in query and "expirationMonth" not in query


def test_share_page_lists_linkedin_copy_fields(client, login, school, issued):
    login(school.student)
    text = client.get(f"/credentials/{issued.id}/share").get_data(as_text=True)
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in text
    for label in (
        "Name",
        "Issuing organization",
        "Issue date",
        "Expiration date",
        "Credential ID",
        "Credential URL",
    ):
        assert f">{label}</label>" in text
    assert 'data-copy-target="linkedin-5"' in text


def test_revoked_shows_reason_on_every_page(client, login, school, issued, now):
    share(client, login, school, issued)
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Plagiarised photos",
        now=now,
    )
    db.session.commit()
    public = client.get(f"/s/{issued.share_token}").get_data(as_text=True)
    verify = client.get(f"/credentials/{issued.id}/verify").get_data(as_text=True)
    settings = client.get(f"/credentials/{issued.id}/share").get_data(as_text=True)
    for text in (public, verify, settings):
        assert "Revoked" in text and "Plagiarised photos" in text
    api = client.post(
        "/api/v1/verify", data=issued.json_text, content_type="application/json"
    ).get_json()
    assert api["verdict"] == "revoked" and api["status_reason"] == "Plagiarised photos"


def test_suspended_shows_reason_and_verdict(client, login, school, issued, now):
    share(client, login, school, issued)
    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    public = client.get(f"/s/{issued.share_token}").get_data(as_text=True)
    assert "Suspended" in public and "Under review" in public
    api = client.post(
        "/api/v1/verify", data=issued.json_text, content_type="application/json"
    ).get_json()
    assert api["verdict"] == "suspended"
    assert api["record"]["status_reason"] == "Under review"


def test_verify_page_for_credential_reruns_every_visit(client, issued, now):
    first = client.get(f"/v/{issued.verify_token}")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-store"
    assert "Genuine" in first.get_data(as_text=True) and "Sam Student" in first.get_data(
        as_text=True
    )
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()
    second = client.get(f"/v/{issued.verify_token}").get_data(as_text=True)
    assert "Revoked" in second and "Issued in error" in second
    # Not shared: the page verifies but does not hand out the signed document.
    assert f"/credentials/{issued.id}?format=json" not in second


def test_verify_page_unknown_credential_404(client, issued):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000/verify").status_code == 404


def test_public_page_expired_still_genuine_record(client, login, school, make_credential):
    from datetime import UTC
    from datetime import datetime

    old = make_credential(expiry_months=1, issued_at=datetime(2024, 1, 10, tzinfo=UTC))
    share(client, login, school, old)
    text = client.get(f"/s/{old.share_token}").get_data(as_text=True)
    assert "Expired on 10 February 2024, still a genuine record" in text
    assert json.loads(old.json_text)["validUntil"] == "2024-02-10T00:00:00Z"


def test_baked_svg_after_pdf_render_is_plain_svg(client, login, school, issued):
    """Rendering a PDF imports WeasyPrint, which re-registers ElementTree's empty prefix:
    the baked SVG must still start with <svg, or verifiers take it for some other XML."""
    import weasyprint.pdf.metadata  # noqa: F401  (the import that changed the prefix map)

    share(client, login, school, issued)
    client.get(f"/s/{issued.share_token}/download/pdf")
    svg = client.get(f"/s/{issued.share_token}/download/svg").get_data(as_text=True)
    assert svg.startswith("<svg ")
    result = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(svg.encode()), "badge.svg")},
        content_type="multipart/form-data",
    ).get_json()
    assert result["verdict"] == "verified"


def test_public_page_qr_decodes_to_verification_url_which_verifies(
    client, login, school, issued, tmp_path
):
    import base64
    import re
    import subprocess

    share(client, login, school, issued)
    db.session.refresh(issued)
    page = client.get(f"/s/{issued.share_token}").get_data(as_text=True)
    encoded = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="QR code', page)[1]
    (tmp_path / "qr.png").write_bytes(base64.b64decode(encoded))
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == f"https://laurel.test/v/{issued.verify_token}"
    verified = client.get(decoded.removeprefix("https://laurel.test"))
    assert "Genuine" in verified.get_data(as_text=True)


def test_reinstated_clears_suspension_everywhere(client, login, school, issued, now):
    from app.issuing.status_changes import StatusChange
    from app.issuing.status_changes import change_credential_status

    share(client, login, school, issued)
    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    change_credential_status(
        issued,
        StatusChange.REINSTATE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Checked: fine",
        now=now,
    )
    db.session.commit()
    public = client.get(f"/s/{issued.share_token}").get_data(as_text=True)
    assert "Suspended" not in public and "Under review" not in public
    assert "Genuine" in public
    api = client.post("/api/v1/verify", data=issued.json_text, content_type="application/json")
    assert api.get_json()["verdict"] == "verified"
