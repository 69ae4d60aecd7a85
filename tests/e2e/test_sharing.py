"""In a real browser: a student shares a badge, a counselor verifies each download, then revocation.

Drives Debian's Chromium through Playwright against a live server on 127.0.0.1;
screenshots go to test-artifacts/<pass>/<test>/. The offline test stops its server and
runs `laurel verify` on the downloaded PDF and PNG in a fresh process.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading

import pytest
import requests

from app import PROJECT_ROOT
from app.badges.models import CredentialState
from app.extensions import db
from app.keyring import issuing_context
from tests.fixtures.browser import _free_port
from tests.fixtures.users import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

DOWNLOADS = (
    ("png", "Badge image (PNG)"),
    ("svg", "Badge image (SVG)"),
    ("pdf", "Certificate (PDF, A4)"),
    ("json", "Signed credential (JSON)"),
)
REASON = "Awarded to the wrong student by mistake"


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def verify_upload(page, base_url: str, path) -> str:
    """Upload `path` on /verify as an anonymous person; return the verdict box's text."""
    page.goto(f"{base_url}/verify")
    page.set_input_files("#file", str(path))
    page.locator("form.verify-inputs button[type=submit]").click()
    page.wait_for_selector("#verdict, #verify-error")
    if page.locator("#verify-error").count():
        pytest.fail(f"{path.name} was refused: {page.inner_text('#verify-error')}")
    return page.inner_text("#verdict")


def test_sharing_share_download_verify_revoke_end_to_end(
    live_server, make_credential, school, browser_page, new_browser_page, artifacts
):
    credential = make_credential(expiry_months=12)
    student = browser_page
    sign_in(student, live_server, school.student.email)

    student.goto(f"{live_server}/credentials/{credential.id}/share")
    student.get_by_role("button", name="Share publicly").click()
    assert "Your badge page is public" in student.inner_text("main")
    student.screenshot(path=artifacts / "1-share-settings.png", full_page=True)
    public_url = student.input_value("#share-link")
    db.session.refresh(credential)  # sharing drew a new token
    assert public_url == f"{live_server}/s/{credential.share_token}"

    student.goto(public_url)
    assert "Genuine" in student.inner_text("#verdict")
    assert student.locator('meta[property="og:image"]').get_attribute("content").endswith("/og.png")
    student.screenshot(path=artifacts / "2-public-page.png", full_page=True)
    files = {}
    for kind, label in DOWNLOADS:
        with student.expect_download() as waiting:
            student.get_by_role("link", name=label).click()
        files[kind] = artifacts / f"download.{kind}"
        waiting.value.save_as(files[kind])

    counselor = new_browser_page()
    for kind, path in files.items():
        verdict = verify_upload(counselor, live_server, path)
        assert verdict.startswith("Genuine"), (kind, verdict)
        assert school.student.name in verdict
        counselor.screenshot(path=artifacts / f"3-verified-{kind}.png", full_page=True)

    instructor = new_browser_page()
    sign_in(instructor, live_server, school.instructor.email)
    instructor.goto(f"{live_server}/credentials/{credential.id}")
    instructor.fill("#reason", REASON)
    instructor.get_by_role("button", name="Revoke this credential").click()
    instructor.get_by_label("I understand that revoking is permanent").check()
    instructor.get_by_role("button", name="Revoke permanently").click()
    instructor.wait_for_load_state()
    db.session.refresh(credential)
    assert credential.state == CredentialState.REVOKED

    for kind, path in files.items():
        verdict = verify_upload(counselor, live_server, path)
        assert verdict.startswith("Revoked"), (kind, verdict)
        assert REASON in verdict
        counselor.screenshot(path=artifacts / f"4-revoked-{kind}.png", full_page=True)
    counselor.goto(public_url)
    assert REASON in counselor.inner_text("main")
    counselor.screenshot(path=artifacts / "5-public-page-revoked.png", full_page=True)

    student.goto(f"{live_server}/credentials/{credential.id}/share")
    student.get_by_role("button", name="Stop sharing").click()
    response = counselor.goto(public_url)
    assert response.status == 404
    counselor.screenshot(path=artifacts / "6-sharing-off.png", full_page=True)


@pytest.fixture
def stoppable_server(request, app_config):
    """Like live_server, but the test stops it: yields (base URL, stop function)."""
    from werkzeug.serving import make_server

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    app_config["LAUREL_PUBLIC_URL"] = base_url
    application = request.getfixturevalue("app")
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = []

    def stop() -> None:
        if not stopped:
            server.shutdown()
            thread.join(timeout=10)
            stopped.append(True)

    yield base_url, stop
    stop()


def laurel_verify(laurel: str, path, **settings: str) -> str:
    """`laurel verify --offline FILE` in a fresh process; its report, lower-cased."""
    environment = {**os.environ, "LAUREL_ENV": "development", **settings}
    result = subprocess.run(
        [laurel, "verify", "--offline", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=PROJECT_ROOT,
    )
    assert "traceback" not in (result.stdout + result.stderr).lower(), result.stderr
    return result.stdout.lower()


def test_sharing_offline_pdf_and_png_verify_signature_status_could_not_check(
    stoppable_server, make_credential, keys_dir, tmp_path, laurel
):
    base_url, stop = stoppable_server
    credential = make_credential()
    credential.share_enabled = True
    db.session.commit()
    files = {}
    for kind in ("pdf", "png"):
        response = requests.get(
            f"{base_url}/s/{credential.share_token}/download/{kind}", timeout=60
        )
        assert response.status_code == 200
        files[kind] = tmp_path / f"certificate.{kind}"
        files[kind].write_bytes(response.content)
    stop()

    # The PDF on a machine that knows nothing of the school: the keys come from the PDF itself.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pdf_report = laurel_verify(
        laurel,
        files["pdf"],
        LAUREL_KEYS_DIR=str(elsewhere),
        LAUREL_PUBLIC_URL="https://other.example",
    )
    # The baked PNG on the school's own machine, server stopped: its key store, no network.
    png_report = laurel_verify(
        laurel, files["png"], LAUREL_KEYS_DIR=str(keys_dir.path), LAUREL_PUBLIC_URL=base_url
    )
    for kind, report in (("pdf", pdf_report), ("png", png_report)):
        assert "passed           proof      the signature (eddsa-rdfc-2022) is valid" in report, (
            kind,
            report,
        )
        assert "could not check  status" in report, (kind, report)
        assert "not revoked" not in report, (kind, report)
    assert "attached to the pdf" in pdf_report


def write_y4m(path, image, frames: int = 10) -> None:
    """A raw YUV 4:2:0 video of `image` (Chromium's fake camera reads .y4m files)."""
    from PIL import Image

    width, height = image.size
    y, cb, cr = image.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BILINEAR).tobytes()
        + cr.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)


def test_sharing_camera_scan_of_certificate_qr_opens_verdict(
    live_server, make_credential, chromium, artifacts, tmp_path
):
    """A counselor points a camera at the printed QR: the page decodes it, shows the verdict."""
    from PIL import Image

    from app.share.certificate import verification_url
    from app.share.qr import qr_png
    from tests.fixtures.browser import CHROMIUM
    from tests.fixtures.browser import CHROMIUM_ARGS

    credential = make_credential()
    with Image.open(
        io.BytesIO(qr_png(verification_url(credential, issuing_context().public_url), box_size=8))
    ) as code:
        frame = Image.new("RGB", (640, 480), "white")
        frame.paste(code.convert("RGB").resize((360, 360)), (140, 60))
    video = tmp_path / "camera.y4m"
    write_y4m(video, frame)
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(viewport={"width": 414, "height": 896})
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto(f"{live_server}/verify")
        page.get_by_role("button", name="Scan with the camera").click()
        page.wait_for_url(f"{live_server}/verify")
        page.wait_for_selector("#verdict")
        page.screenshot(path=artifacts / "camera-scan-result.png", full_page=True)
        verdict = page.inner_text("#verdict")
        assert verdict.startswith("Genuine") and "Sam Student" in verdict
    finally:
        browser.close()
