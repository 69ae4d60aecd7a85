"""The PDF renderer kept per thread: correct PDFs from threads rendering at once, the
stylesheets parsed once, the badge printed as a JPEG, and a worker's memory flat."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from PIL import ImageDraw
from pypdf import PdfReader

from app import PROJECT_ROOT
from app.badges.images import check_image_upload
from app.keyring import issuing_context
from app.share.certificate import PAPER_SIZES
from app.share.certificate import certificate_stylesheet
from app.share.certificate import render_certificate
from app.share.certificate import warm_up_certificates
from app.share.images import PRINT_SIDE
from app.share.images import badge_print_image
from app.share.pdf import thread_renderer
from app.verify.documents import credential_by_id
from tests.share.test_certificate import decode_qr
from tests.share.test_certificate import rasterize

THREADS = 2
RENDERS_PER_THREAD = 3
# bench/pdf.py, in a fresh interpreter: before this renderer, 200 certificates grew a
# process by about 50 MiB (a new font configuration each, garbage collected late).
MEMORY_RENDERS = 200
MEMORY_GROWTH_LIMIT_MIB = 30


def _png(side: int, mode: str = "RGBA") -> bytes:
    """A red disc on a transparent square (a medallion-like badge)."""
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((side // 8, side // 8, side * 7 // 8, side * 7 // 8), "red")
    output = io.BytesIO()
    image.convert(mode).save(output, format="PNG")
    return output.getvalue()


def _print_image(badge) -> Image.Image:
    image = badge_print_image(badge)
    assert image.mime == "image/jpeg"
    return Image.open(io.BytesIO(image.data))


def test_two_threads_rendering_at_once_both_get_a_correct_certificate(app, issued, now, tmp_path):
    """Each thread has its own font configuration (not thread-safe) and keeps it."""
    credential_id, token = issued.id, issued.verify_token
    start = threading.Barrier(THREADS)

    def render_in_thread(number: int) -> tuple[list[bytes], set[int]]:
        pdfs, renderers = [], set()
        with app.app_context():
            credential = credential_by_id(credential_id)
            start.wait(timeout=60)
            for _ in range(RENDERS_PER_THREAD):
                pdfs.append(
                    render_certificate(credential, ctx=issuing_context(), paper="a4", now=now)
                )
                renderers.add(id(thread_renderer()))
        return pdfs, renderers

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(render_in_thread, range(THREADS)))

    kept = [renderers for _, renderers in results]
    assert all(len(renderers) == 1 for renderers in kept), "a thread made a second renderer"
    assert len(set.union(*kept)) == THREADS, "two threads shared one renderer"
    for number, (pdfs, _) in enumerate(results):
        for render, pdf in enumerate(pdfs):
            text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
            assert "Sam Student" in text and "Vehicle Restoration" in text
            pages = rasterize(pdf, tmp_path, name=f"thread{number}-{render}")
            assert len(pages) == 1
            assert decode_qr(pages[0]) == f"https://laurel.test/v/{token}"


def test_warm_up_parses_each_paper_stylesheet_once_for_this_thread(app_ctx):
    warm_up_certificates()
    renderer = thread_renderer()
    for page_size in PAPER_SIZES.values():
        text = certificate_stylesheet(page_size)
        assert renderer.stylesheet(text) is renderer.stylesheet(text)
    a4, letter = (certificate_stylesheet(size) for size in PAPER_SIZES.values())
    assert renderer.stylesheet(a4) is not renderer.stylesheet(letter)


def test_a_thread_renders_with_its_own_stylesheets(app):
    """A thread's first PDF makes its renderer; the main thread's parsed sheets stay its own."""
    with app.app_context():
        mine = thread_renderer().stylesheet(certificate_stylesheet("A4 landscape"))

    def other_thread():
        with app.app_context():
            return thread_renderer().stylesheet(certificate_stylesheet("A4 landscape"))

    with ThreadPoolExecutor(max_workers=1) as pool:
        theirs = pool.submit(other_thread).result(timeout=120)
    assert theirs is not mine


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "RGB", "L", "I;16"])
def test_badge_print_image_is_a_jpeg_on_white_at_most_print_side(make_credential, mode):
    credential = make_credential(
        name=f"Print {mode}", image=check_image_upload(_png(2 * PRINT_SIDE, mode), "badge.png")
    )
    image = _print_image(credential.badge)
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.size == (PRINT_SIDE, PRINT_SIDE)
    corner = image.getpixel((4, 4))
    if mode in ("RGBA", "LA"):
        assert min(corner) >= 250, f"transparent corner printed as {corner}, not white"
    red, green, blue = image.getpixel((PRINT_SIDE // 2, PRINT_SIDE // 2))
    if mode in ("RGBA", "P", "RGB"):
        assert red >= 240 and green <= 15 and blue <= 15


def test_small_badge_print_image_keeps_its_size(make_credential):
    credential = make_credential(image=check_image_upload(_png(300), "badge.png"))
    assert _print_image(credential.badge).size == (300, 300)


def test_certificate_embeds_the_badge_as_jpeg_and_the_qr_unsmoothed(app_ctx, issued, now):
    page = PdfReader(
        io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper="a4", now=now))
    ).pages[0]
    images = [obj.get_object() for obj in page["/Resources"]["/XObject"].values()]
    filters = sorted(str(image["/Filter"]) for image in images)
    assert filters == ["/DCTDecode", "/FlateDecode"]
    qr = next(image for image in images if image["/Filter"] == "/FlateDecode")
    assert qr["/Interpolate"] == False  # noqa: E712 (a pypdf BooleanObject)


@pytest.mark.slow
def test_worker_memory_stays_flat_over_200_certificates():
    """bench/pdf.py in a fresh interpreter: warm up as a worker does, then 200 renders."""
    result = subprocess.run(
        [sys.executable, "bench/pdf.py", "--renders", str(MEMORY_RENDERS), "--json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["pdf_rss_growth_mib"] < MEMORY_GROWTH_LIMIT_MIB, figures
