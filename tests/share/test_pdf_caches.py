"""What the PDF renderer keeps between PDFs: decoded images named by their bytes, and finished
certificates for repeat downloads. A badge edit or a revocation changes the next PDF; the
renderer still fetches nothing but the page's own images (badge, QR code, school logo)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PIL import ImageDraw
from pypdf import PdfReader

from app.badges.images import check_image_upload
from app.extensions import db
from app.issuing.profile import issuer_profile
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.share.certificate import certificate_pdf
from app.share.certificate import render_certificate
from app.share.pdf import IMAGE_CACHE_ENTRIES
from app.share.pdf import PdfAttachment
from app.share.pdf import PdfImage
from app.share.pdf import PdfSource
from app.share.pdf import html_to_pdf
from app.share.pdf import thread_renderer
from tests.share.test_certificate import rasterize


def _disc_png(colour: str, side: int = 64) -> bytes:
    """A disc of `colour` on white."""
    image = Image.new("RGB", (side, side), "white")
    ImageDraw.Draw(image).ellipse((side // 8, side // 8, side * 7 // 8, side * 7 // 8), colour)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _page_images(pdf: bytes) -> list[Image.Image]:
    return [item.image for item in PdfReader(io.BytesIO(pdf)).pages[0].images]


def _badge_centre(pdf: bytes) -> tuple[int, int, int]:
    """The centre pixel of the certificate's badge (its JPEG)."""
    reader = PdfReader(io.BytesIO(pdf))
    badge = next(item.image for item in reader.pages[0].images if item.name.endswith(".jpg"))
    return badge.convert("RGB").getpixel((badge.width // 2, badge.height // 2))


def _pdf_text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_pdf_image_url_names_its_bytes():
    red, green = _disc_png("red"), _disc_png("green")
    assert PdfImage(red, "image/png").url == PdfImage(red, "image/png").url
    assert PdfImage(red, "image/png").url != PdfImage(green, "image/png").url
    assert PdfImage(red, "image/png").url.startswith("laurel-image:")


def test_page_shows_its_own_images_and_fetches_nothing_else(app_ctx, tmp_path):
    """Tried: a file: URL of a real PNG, an http URL, and an image URL not given with the page."""
    outside = tmp_path / "outside.png"
    outside.write_bytes(_disc_png("blue"))
    given = PdfImage(_disc_png("red"), "image/png")
    stranger = PdfImage(_disc_png("green"), "image/png")
    html = (
        f'<img src="{given.url}"><img src="{outside.as_uri()}">'
        f'<img src="http://127.0.0.1:9/x.png"><img src="{stranger.url}">'
    )
    images = _page_images(html_to_pdf(html, images=[given]))
    assert len(images) == 1
    red, green, blue = images[0].convert("RGB").getpixel((32, 32))
    assert red >= 240 and green <= 15 and blue <= 15


def test_image_cache_stays_bounded_over_many_images(app_ctx):
    renderer = thread_renderer()
    for number in range(IMAGE_CACHE_ENTRIES):
        image = PdfImage(_disc_png(f"#{number:06x}", side=8), "image/png")
        html_to_pdf(f'<img src="{image.url}">', images=[image])
    # Emptied before a PDF when over the bound: at most the bound plus one page's entries.
    assert len(renderer._images) <= IMAGE_CACHE_ENTRIES + 3


def test_badge_image_edit_shows_in_the_next_certificate(app_ctx, make_credential, now):
    credential = make_credential(image=check_image_upload(_disc_png("red", 256), "badge.png"))
    ctx = issuing_context()
    for render in (render_certificate, certificate_pdf):
        red = render(credential, ctx=ctx, paper="a4", now=now)
        assert _badge_centre(red)[0] >= 200
    checked = check_image_upload(_disc_png("green", 256), "badge.png")
    badge = credential.badge
    badge.image, badge.image_mime, badge.image_png = checked.data, checked.mime, checked.png
    db.session.commit()
    for render in (render_certificate, certificate_pdf):
        red, green, _ = _badge_centre(render(credential, ctx=ctx, paper="a4", now=now))
        assert red <= 60 and green >= 100, f"{render.__name__} printed the old badge image"


def test_downloaded_pdf_is_kept_until_the_credential_is_revoked(app_ctx, issued, now):
    ctx = issuing_context()
    first = certificate_pdf(issued, ctx=ctx, paper="a4", now=now)
    assert certificate_pdf(issued, ctx=ctx, paper="a4", now=now) is first
    letter = certificate_pdf(issued, ctx=ctx, paper="letter", now=now)
    assert letter != first
    change_credential_status(
        issued, StatusChange.REVOKE, ctx=ctx, actor=None, reason="Issued by mistake", now=now
    )
    db.session.commit()
    revoked = certificate_pdf(issued, ctx=ctx, paper="a4", now=now)
    assert revoked != first
    assert "Revoked on" in _pdf_text(revoked) and "Issued by mistake" in _pdf_text(revoked)
    assert "Revoked on" not in _pdf_text(first)


def test_source_digest_changes_with_every_part():
    image = PdfImage(_disc_png("red"), "image/png")
    attached = (PdfAttachment("a.json", b"{}", "A file"),)
    base = PdfSource(html="<p>A</p>", stylesheets=("p {}",), images=(image,))
    changed = [
        PdfSource(html="<p>A</p>", stylesheets=("p {}",), attachments=attached, images=(image,)),
        PdfSource(
            html="<p>A</p>",
            stylesheets=("p {}",),
            attachments=(PdfAttachment("a.json", b"[]", "A file"),),
            images=(image,),
        ),
        PdfSource(html="<p>B</p>", stylesheets=("p {}",), images=(image,)),
        PdfSource(html="<p>A</p>", stylesheets=("p { color: red }",), images=(image,)),
        PdfSource(html="<p>A</p>", stylesheets=("p {}",)),
        PdfSource(html="<p>A</p>", stylesheets=("p {}", ""), images=(image,)),
    ]
    assert len({base.digest(), *(source.digest() for source in changed)}) == 1 + len(changed)
    assert PdfSource(html="<p>A</p>", stylesheets=("p {}",), images=(image,)).digest() == (
        base.digest()
    )


GREEN_SQUARE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
    b'<rect width="40" height="40" fill="#00c000"/></svg>'
)


@pytest.mark.parametrize(
    ("logo", "name"), [(GREEN_SQUARE_SVG, "logo.svg"), (None, "logo.png")], ids=["svg", "png"]
)
def test_school_logo_is_printed_from_memory(app_ctx, issued, now, tmp_path, logo, name):
    checked = check_image_upload(logo or _disc_png("#00c000", 256), name)
    ctx = issuing_context()
    profile = issuer_profile(ctx.public_url)
    profile.logo, profile.logo_mime = checked.data, checked.mime
    db.session.commit()
    (page,) = rasterize(render_certificate(issued, ctx=ctx, paper="a4", now=now), tmp_path)
    with Image.open(page) as image:
        width, height = image.size
        footer_left = image.convert("RGB").crop((0, height * 2 // 3, width // 3, height)).tobytes()
    pixels = zip(footer_left[0::3], footer_left[1::3], footer_left[2::3], strict=True)
    greens = [pixel for pixel in pixels if pixel[1] >= 150 and pixel[0] <= 60 and pixel[2] <= 60]
    assert len(greens) >= 100, "no logo printed beside the school's name"
