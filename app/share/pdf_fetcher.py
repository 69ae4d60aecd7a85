"""What the PDF renderer may fetch: the page's own images from memory, `data:` URIs, nothing else.

Imported by the renderer only (it imports WeasyPrint, about 0.6 s), so that a template
can never make the server open a file or a network address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

if TYPE_CHECKING:
    from app.share.pdf import PdfImage


class PageFetcher(URLFetcher):
    """Serves the images of the page being rendered by their `PdfImage.url`, and `data:` URIs."""

    def __init__(self, image_scheme: str) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self._image_prefix = f"{image_scheme}:"
        self.images: dict[str, PdfImage] = {}

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.startswith(self._image_prefix):
            return super().fetch(url, headers)
        image = self.images.get(url)
        if image is None:
            raise ValueError(f"Not an image of this page: {url}")
        return URLFetcherResponse(url, image.data, {"Content-Type": image.mime})
