"""HTML to PDF with WeasyPrint: nothing fetched, files attached, fonts loaded once per thread.

A page's images are given as bytes (`PdfImage`, whose `url` the template puts in
`<img src>`) or inlined as `data:` URIs, and the renderer's fetcher
(app/share/pdf_fetcher.py) serves those and refuses any other URL: a template can
never make the server open a file or a network address. A `PdfImage` is named by the
digest of its bytes, so each thread keeps WeasyPrint's decoded images from one PDF to
the next under that name (a changed badge image is a new name, never a stale entry),
and the HTML stays small (the demo badge alone was 83 kB of base64 in it, parsed and
decoded on every render).

WeasyPrint builds a new Fontconfig/Pango font configuration for every document
unless it is given one. That cost about a third of a warm render, and the
configurations it left behind grew a worker by about 130 MiB per 400 certificates.
So each thread keeps one `FontConfiguration`, one fetcher, the image cache and the
parsed stylesheets it has used (keyed by their text): those objects are not
thread-safe, so threads never share them. A gunicorn sync worker has one thread,
hence one of each; `warm_up` pays the first, slow render when the worker starts.

A rendered document leaves a few hundred kilobytes of reference cycles (boxes and
styles pointing at each other, with fonts and layouts held in C memory). Left to the
automatic collector they pile up for tens of renders and the worker grows by 10 MiB
and more; so each PDF ends with a full collection, but only in a process that froze
its long-lived objects (`freeze_long_lived_objects`, called by
`app.share.certificate.warm_up_worker`), where that collection looks at little more
than the document (about 1 ms instead of 50-130 ms). Whether the process froze is
remembered here: `gc.get_freeze_count()` walks every frozen object (some two million
in a warmed worker), which cost a third of each render while it was asked.
"""

from __future__ import annotations

import gc
import hashlib
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from cachetools import LRUCache

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

# Stylesheets a thread keeps parsed: one per paper size of the certificate and the
# transcript's, with room to spare; a bound in case a caller ever varies the text.
STYLESHEETS_KEPT = 8
# Finished PDFs a process keeps for repeat downloads (`cached_pdf`), in bytes: about fifty
# certificates of 150 kB.
FINISHED_PDF_BYTES = 8 * 1024 * 1024
# The URL scheme of a `PdfImage`: `laurel-image:<sha-256 of the bytes>`.
IMAGE_SCHEME = "laurel-image"
# Entries of WeasyPrint's image cache a thread keeps between PDFs (two or three per
# image: the decoded image and its bytes); emptied between two PDFs when it holds more.
IMAGE_CACHE_ENTRIES = 64

# Text in every face the templates use, so that the warm-up loads each font file.
_WARM_UP_HTML = (
    "<p style=\"font-family: 'DejaVu Sans'\">Laurel <b>bold</b> <i>italic</i></p>"
    "<p style=\"font-family: 'DejaVu Serif'\">Laurel <b>bold</b> <i>italic</i></p>"
    "<p style=\"font-family: 'DejaVu Sans Mono'\">urn:uuid:0000</p>"
)


@dataclass(frozen=True)
class PdfImage:
    """An image of the page, as bytes: the template shows it with `<img src="{{ image.url }}">`."""

    data: bytes
    mime: str

    @cached_property
    def url(self) -> str:
        """The image's name in the page, from its bytes: other bytes, another name."""
        return f"{IMAGE_SCHEME}:{hashlib.sha256(self.data).hexdigest()}"


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (shown in a reader's attachments panel)."""

    name: str
    data: bytes
    description: str


@dataclass(frozen=True)
class PdfSource:
    """Everything a PDF is made of; the same source renders the same page and attachments."""

    html: str
    stylesheets: tuple[str, ...] = ()
    attachments: tuple[PdfAttachment, ...] = ()
    images: tuple[PdfImage, ...] = ()

    def render(self) -> bytes:
        """The PDF, rendered now (`html_to_pdf`)."""
        return html_to_pdf(
            self.html, self.attachments, stylesheets=self.stylesheets, images=self.images
        )

    def digest(self) -> str:
        """SHA-256 of every part, each length-prefixed: any change anywhere, another digest."""
        parts = [
            self.html.encode(),
            *(text.encode() for text in self.stylesheets),
            *(
                part
                for item in self.attachments
                for part in (item.name.encode(), item.description.encode(), item.data)
            ),
            *(image.url.encode() for image in self.images),
        ]
        hasher = hashlib.sha256()
        for count in (len(self.stylesheets), len(self.attachments), len(self.images)):
            hasher.update(count.to_bytes(4, "big"))
        for part in parts:
            hasher.update(len(part).to_bytes(8, "big"))
            hasher.update(part)
        return hasher.hexdigest()


class ThreadRenderer:
    """What one thread reuses from one PDF to the next (never shared between threads)."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration  # ~0.6 s to import WeasyPrint

        from app.share.pdf_fetcher import PageFetcher

        self.fonts: FontConfiguration = FontConfiguration()
        self.fetcher: PageFetcher = PageFetcher(IMAGE_SCHEME)
        self._stylesheets: LRUCache[str, CSS] = LRUCache(maxsize=STYLESHEETS_KEPT)
        # WeasyPrint's cache: image URL -> decoded image, and that image's bytes.
        self._images: dict[str, object] = {}

    def stylesheet(self, text: str) -> CSS:
        """`text` parsed as a print stylesheet, once per thread."""
        parsed = self._stylesheets.get(text)
        if parsed is None:
            from weasyprint import CSS

            parsed = CSS(string=text, font_config=self.fonts, url_fetcher=self.fetcher)
            self._stylesheets[text] = parsed
        return parsed

    def write_pdf(
        self,
        html: str,
        stylesheets: Sequence[str],
        attachments: Sequence[PdfAttachment],
        images: Sequence[PdfImage],
    ) -> bytes:
        from weasyprint import HTML
        from weasyprint import Attachment

        embedded = [
            Attachment(
                file_obj=io.BytesIO(item.data),
                name=item.name,
                description=item.description,
                url_fetcher=self.fetcher,
                relationship="Data",
            )
            for item in attachments
        ]
        if len(self._images) > IMAGE_CACHE_ENTRIES:
            self._images.clear()
        self.fetcher.images = {image.url: image for image in images}
        try:
            document = HTML(string=html, url_fetcher=self.fetcher)
            pdf: bytes = document.write_pdf(
                stylesheets=[self.stylesheet(text) for text in stylesheets],
                attachments=embedded,
                font_config=self.fonts,
                cache=self._images,
            )
        finally:
            self.fetcher.images = {}
        return pdf


_local = threading.local()
# Set once this process froze its long-lived objects: each PDF then ends with a collection.
_frozen = False
_finished: LRUCache[str, bytes] = LRUCache(maxsize=FINISHED_PDF_BYTES, getsizeof=len)
_finished_lock = threading.Lock()


def thread_renderer() -> ThreadRenderer:
    """The calling thread's renderer, made on its first PDF."""
    renderer: ThreadRenderer | None = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = ThreadRenderer()
    return renderer


def html_to_pdf(
    html: str,
    attachments: Sequence[PdfAttachment] = (),
    *,
    stylesheets: Sequence[str] = (),
    images: Sequence[PdfImage] = (),
) -> bytes:
    """Render `html` (print media) to PDF bytes with `attachments` embedded.

    :param stylesheets: CSS texts applied after the document's own styles; each is
        parsed once per thread, so pass the page styles here rather than in a <style>.
    :param images: the images `html` shows by their `PdfImage.url`.
    """
    pdf = thread_renderer().write_pdf(html, stylesheets, attachments, images)
    if _frozen:
        gc.collect()
    return pdf


def cached_pdf(source: PdfSource) -> bytes:
    """`source` rendered, or the PDF this process rendered from the same source before.

    For repeat downloads: the key is the digest of everything the PDF is made of (the
    page's text, its images by their bytes, the stylesheets, the attached files), so a
    revocation, a badge edit or a renamed school makes another key, never a stale PDF.
    """
    key = source.digest()
    with _finished_lock:
        pdf = _finished.get(key)
    if pdf is None:
        pdf = source.render()
        if len(pdf) <= FINISHED_PDF_BYTES:
            with _finished_lock:
                _finished[key] = pdf
    return pdf


def freeze_long_lived_objects() -> None:
    """Collect, then freeze what is alive, so the collection ending each PDF stays cheap.

    Frozen objects (the code, the app, WeasyPrint's tables) are skipped by the garbage
    collector. Call it once, after the warm-up, in the process that renders.
    """
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = True


def warm_up(stylesheets: Sequence[str] = ()) -> None:
    """Render a small page with every font face and `stylesheets`, and throw it away.

    The first PDF of a thread imports WeasyPrint, loads the fonts and parses the
    stylesheets (0.8-0.9 s); a server calls this at worker start so that no visitor
    waits for it.
    """
    html_to_pdf(_WARM_UP_HTML, stylesheets=stylesheets)
