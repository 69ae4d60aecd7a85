"""HTML to PDF with WeasyPrint: nothing fetched, files attached.

Every image is inlined as a `data:` URI by the caller, so the renderer is given
a fetcher that refuses any other scheme: a template can never make the server
open a file or a network address.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (shown in a reader's attachments panel)."""

    name: str
    data: bytes
    description: str


def html_to_pdf(html: str, attachments: Sequence[PdfAttachment] = ()) -> bytes:
    """Render `html` (print media) to PDF bytes with `attachments` embedded."""
    from weasyprint import HTML  # ~0.6 s to import: only when a PDF is made
    from weasyprint import Attachment
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    embedded = [
        Attachment(
            file_obj=io.BytesIO(item.data),
            name=item.name,
            description=item.description,
            url_fetcher=fetcher,
            relationship="Data",
        )
        for item in attachments
    ]
    return HTML(string=html, url_fetcher=fetcher).write_pdf(attachments=embedded)
