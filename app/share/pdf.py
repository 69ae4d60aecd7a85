"""HTML to PDF with WeasyPrint: nothing fetched, files attached, fonts loaded once per thread.

Every image is inlined as a `data:` URI by the caller, so the renderer is given
a fetcher that refuses any other scheme: a template can never make the server
open a file or a network address.

WeasyPrint builds a new Fontconfig/Pango font configuration for every document
unless it is given one. That cost about a third of a warm render, and the
configurations it left behind grew a worker by about 130 MiB per 400 certificates.
So each thread keeps one `FontConfiguration`, one fetcher and the parsed
stylesheets it has used (keyed by their text): those objects are not thread-safe,
so threads never share them. A gunicorn sync worker has one thread, hence one of
each; `warm_up` pays the first, slow render when the worker starts.

A rendered document leaves a few hundred kilobytes of reference cycles (boxes and
styles pointing at each other, with fonts and layouts held in C memory). Left to the
automatic collector they pile up for tens of renders and the worker grows by 10 MiB
and more; so each PDF ends with a full collection, but only in a process that froze
its long-lived objects (`freeze_long_lived_objects`, called by
`app.share.certificate.warm_up_worker`), where that collection looks at little more
than the document (about 1 ms instead of 50-130 ms). Whether the process froze is
remembered here: `gc.get_freeze_count()` walks every frozen object (about 20 ms in a
worker), which cost a fifth of each render while it was asked.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cachetools import LRUCache

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

# Stylesheets a thread keeps parsed: one per paper size of the certificate and the
# transcript's, with room to spare; a bound in case a caller ever varies the text.
STYLESHEETS_KEPT = 8

# Text in every face the templates use, so that the warm-up loads each font file.
_WARM_UP_HTML = (
    "<p style=\"font-family: 'DejaVu Sans'\">Laurel <b>bold</b> <i>italic</i></p>"
    "<p style=\"font-family: 'DejaVu Serif'\">Laurel <b>bold</b> <i>italic</i></p>"
    "<p style=\"font-family: 'DejaVu Sans Mono'\">urn:uuid:0000</p>"
)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (shown in a reader's attachments panel)."""

    name: str
    data: bytes
    description: str


class ThreadRenderer:
    """What one thread reuses from one PDF to the next (never shared between threads)."""

    def __init__(self) -> None:
        from weasyprint.text.fonts import FontConfiguration  # ~0.6 s to import WeasyPrint
        from weasyprint.urls import URLFetcher

        self.fonts: FontConfiguration = FontConfiguration()
        self.fetcher: URLFetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
        self._stylesheets: LRUCache[str, CSS] = LRUCache(maxsize=STYLESHEETS_KEPT)

    def stylesheet(self, text: str) -> CSS:
        """`text` parsed as a print stylesheet, once per thread."""
        parsed = self._stylesheets.get(text)
        if parsed is None:
            from weasyprint import CSS

            parsed = CSS(string=text, font_config=self.fonts, url_fetcher=self.fetcher)
            self._stylesheets[text] = parsed
        return parsed

    def write_pdf(
        self, html: str, stylesheets: Sequence[str], attachments: Sequence[PdfAttachment]
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
        document = HTML(string=html, url_fetcher=self.fetcher)
        pdf: bytes = document.write_pdf(
            stylesheets=[self.stylesheet(text) for text in stylesheets],
            attachments=embedded,
            font_config=self.fonts,
        )
        return pdf


_local = threading.local()
# Set once this process froze its long-lived objects: each PDF then ends with a collection.
_frozen = False


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
) -> bytes:
    """Render `html` (print media) to PDF bytes with `attachments` embedded.

    :param stylesheets: CSS texts applied after the document's own styles; each is
        parsed once per thread, so pass the page styles here rather than in a <style>.
    """
    pdf = thread_renderer().write_pdf(html, stylesheets, attachments)
    if _frozen:
        gc.collect()
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
