"""Nothing a student types is lost by another action on the editor: the reflection travels
with uploads, links and texts and is saved first, with or without JavaScript."""

from __future__ import annotations

import io

import pytest

from app.evidence.models import Submission
from app.extensions import db
from tests.evidence.test_upload_edges import draft  # noqa: F401  (fixture)
from tests.evidence.test_upload_edges import png_bytes
from tests.fixtures.users import DEFAULT_PASSWORD

REFLECTION = "I rebuilt the brake lines first because the old ones had rusted through."
CRITERION = "Every stage is in the photo log, before and after."


def reloaded(submission) -> Submission:
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


def test_add_file_carried_reflection_saved_with_the_file(client, login, draft):  # noqa: F811
    student, submission = draft
    login(student)
    response = client.post(
        f"/submissions/{submission.id}/files",
        data={
            "reflection": REFLECTION,
            "criterion-0": CRITERION,
            "file-file": (io.BytesIO(png_bytes()), "brakes.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    saved = reloaded(submission)
    assert saved.reflection == REFLECTION
    assert saved.criteria_reflections == {"Photo log of each stage": CRITERION}
    assert [item.original_name for item in saved.items] == ["brakes.png"]


@pytest.mark.parametrize(
    ("path", "data"),
    [
        pytest.param(
            "files",
            {"file-file": (io.BytesIO(png_bytes()[:30]), "brakes.png")},
            id="30-byte-png-refused",
        ),
        pytest.param("files", {}, id="no-file-chosen"),
        pytest.param("links", {"link-url": 'https://x.example/"><script>'}, id="script-link"),
        pytest.param("texts", {"text-text": "   "}, id="empty-text"),
    ],
)
def test_add_refused_carried_reflection_still_saved_and_shown(
    client,
    login,
    draft,  # noqa: F811
    path,
    data,
):
    student, submission = draft
    login(student)
    response = client.post(
        f"/submissions/{submission.id}/{path}",
        data={"reflection": REFLECTION, "criterion-1": CRITERION, **data},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert REFLECTION in page and CRITERION in page
    saved = reloaded(submission)
    assert saved.reflection == REFLECTION and saved.items == []


def test_add_link_without_carried_reflection_keeps_saved_one(client, login, draft):  # noqa: F811
    """An older page (or another client) that sends no reflection does not erase it."""
    student, submission = draft
    submission.reflection = REFLECTION
    db.session.commit()
    login(student)
    response = client.post(
        f"/submissions/{submission.id}/links", data={"link-url": "https://example.com/log"}
    )
    assert response.status_code == 302
    assert reloaded(submission).reflection == REFLECTION


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_editor_upload_keeps_typed_reflection_in_browser(
    live_server,
    chromium,
    draft,  # noqa: F811
    tmp_path,
    javascript,
):
    student, submission = draft
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(page, live_server, student.email)
        page.goto(f"{live_server}/submissions/{submission.id}/edit")
        page.fill("#reflection", REFLECTION)
        page.fill("#criterion-0", CRITERION)
        photo = tmp_path / "brakes.png"
        photo.write_bytes(png_bytes())
        page.set_input_files("#file-file", str(photo))
        page.get_by_role("button", name="Upload").click()
        page.wait_for_load_state()
        assert "Added “brakes.png”" in page.inner_text("main")
        assert page.input_value("#reflection") == REFLECTION
        assert page.input_value("#criterion-0") == CRITERION

        page.fill("#link-url", "https://example.com/a b")
        page.fill("#reflection", REFLECTION + " Then the calipers.")
        page.get_by_role("button", name="Add link").click()
        page.wait_for_load_state()
        assert "cannot contain" in page.inner_text("main")
        assert page.input_value("#reflection") == REFLECTION + " Then the calipers."
    finally:
        context.close()
    assert reloaded(submission).reflection == REFLECTION + " Then the calipers."


@pytest.mark.browser
def test_editor_warns_before_leaving_unsaved_reflection(live_server, browser_page, draft):  # noqa: F811
    student, submission = draft
    page = browser_page
    _sign_in(page, live_server, student.email)
    page.goto(f"{live_server}/submissions/{submission.id}/edit")
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#reflection").click()
    page.keyboard.type("Half a thought")
    page.evaluate("window.location.href = '/dashboard/student'")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.input_value("#reflection") == "Half a thought"


def test_editor_upload_with_csrf_on_carries_every_token(app, client, login, draft):  # noqa: F811
    """With CSRF on, the add buttons send both the reflection's and the upload's tokens."""
    import re

    student, submission = draft
    login(student)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/submissions/{submission.id}/edit").get_data(as_text=True)
    tokens = dict(re.findall(r'name="((?:file-)?csrf_token)"[^>]*value="([^"]+)"', page))
    assert set(tokens) == {"csrf_token", "file-csrf_token"}
    assert re.search(r'<input[^>]*form="reflection-form"[^>]*name="file-csrf_token"', page)
    response = client.post(
        f"/submissions/{submission.id}/files",
        data={
            **tokens,
            "reflection": REFLECTION,
            "file-file": (io.BytesIO(png_bytes()), "brakes.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert reloaded(submission).reflection == REFLECTION
