"""The printable PDF certificate: badge, learner, criteria, issuer, QR — and the credential inside.

The signed credential (exact stored bytes), its VC-JWT and the issuer's DID
document and JWKS as they stand at rendering are attached to the PDF, so that
the file alone verifies offline: `laurel verify certificate.pdf` checks the
signature against the attached keys and says that the key's link to the
school's domain and the revocation status could not be checked.
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext

from app.badges.models import IssuedCredential
from app.errors import UserError
from app.i18n import language_of
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_profile
from app.issuing.urls import credential_url
from app.share.images import badge_print_image
from app.share.pdf import PdfAttachment
from app.share.pdf import PdfImage
from app.share.pdf import PdfSource
from app.share.pdf import cached_pdf
from app.share.pdf import freeze_long_lived_objects
from app.share.pdf import warm_up
from app.share.qr import qr_print_png
from app.share.summary import summarize
from app.verify.documents import issuer_key_documents

# ?paper= value -> CSS page size. Landscape both: a certificate is framed wide.
PAPER_SIZES = {"a4": "A4 landscape", "letter": "letter landscape"}
# Height of the badge/text band: the page less margins, frame, footer and verify line.
COLUMNS_HEIGHTS = {"A4 landscape": "128mm", "letter landscape": "134mm"}
DEFAULT_PAPER = "a4"
# Pixels per QR module: the code prints 38 mm wide with `image-rendering: pixelated`, so
# viewers scale it up sharp; 4 keeps the edges firm in one that smooths anyway. Every
# pixel is compressed again on each render (8 took 3 ms more), hence grey, not RGB.
QR_MODULE_PIXELS = 4


def paper_size(value: str | None) -> str:
    """The CSS page size for a `paper` parameter (a4 or letter).

    :raises UserError: any other value.
    """
    key = (value or DEFAULT_PAPER).strip().lower()
    if key not in PAPER_SIZES:
        raise UserError(gettext("Choose paper=a4 or paper=letter for the certificate."))
    return PAPER_SIZES[key]


def verification_url(credential: IssuedCredential, public_url: str) -> str | None:
    """The URL the QR code carries (re-runs verification on every visit); None when switched off.

    It has its own token, so a printed certificate verifies whether or not the
    credential is shared, and only while the learner keeps the link on.
    """
    if not credential.verify_enabled:
        return None
    return f"{public_url}/v/{credential.verify_token}"


def verify_page_url(public_url: str) -> str:
    """The school's verify page, where a PDF or file is uploaded to be checked."""
    return f"{public_url}/verify"


def credential_attachments(
    credential: IssuedCredential, ctx: IssuingContext
) -> list[PdfAttachment]:
    """credential.json (stored bytes), credential.jwt, did.json and jwks.json."""
    did_json, jwks_json = issuer_key_documents(ctx)
    attachments = [
        PdfAttachment(
            "credential.json",
            credential.json_text.encode("utf-8"),
            "The signed Open Badges 3.0 credential (Data Integrity proof), as issued",
        ),
    ]
    if credential.jwt_text:
        attachments.append(
            PdfAttachment(
                "credential.jwt",
                credential.jwt_text.encode("ascii"),
                "The same credential as a VC-JWT, as issued",
            )
        )
    attachments += [
        PdfAttachment(
            "did.json", did_json, "The issuer's DID document (Ed25519 keys) when this PDF was made"
        ),
        PdfAttachment(
            "jwks.json",
            jwks_json,
            "The issuer's JSON Web Key Set (RSA keys) when this PDF was made",
        ),
    ]
    return attachments


def _logo_image(public_url: str) -> PdfImage | None:
    profile = issuer_profile(public_url)
    if not profile.logo:
        return None
    return PdfImage(profile.logo, profile.logo_mime or "image/png")


def _render_print_template(name: str, **context: object) -> str:
    """`name` rendered with `context` alone: the context processors of web pages (the
    navigation, the school's name, a query each time) would cost every PDF for nothing."""
    return current_app.jinja_env.get_template(name).render(context)


def certificate_stylesheet(page_size: str) -> str:
    """The certificate's print stylesheet for a CSS page size (a value of PAPER_SIZES)."""
    return _render_print_template(
        "certificates/certificate.css",
        page_size=page_size,
        columns_height=COLUMNS_HEIGHTS[page_size],
    )


def certificate_images(
    credential: IssuedCredential, *, ctx: IssuingContext
) -> dict[str, PdfImage | None]:
    """The certificate's images by their name in the template: badge, logo and qr."""
    url = verification_url(credential, ctx.public_url)
    return {
        "badge_image": badge_print_image(credential.badge),
        "logo": _logo_image(ctx.public_url),
        "qr": PdfImage(qr_print_png(url, box_size=QR_MODULE_PIXELS, border=2), "image/png")
        if url
        else None,
    }


def render_certificate_html(
    credential: IssuedCredential,
    *,
    ctx: IssuingContext,
    now: datetime,
    images: dict[str, PdfImage | None],
) -> str:
    """The certificate page as HTML, without its print stylesheet (`certificate_stylesheet`),
    in the learner's language (`app.i18n.language_of`).

    :param images: `certificate_images`, which the renderer is given with the page.
    """
    url = verification_url(credential, ctx.public_url)
    with force_locale(language_of(credential.recipient)):
        return _render_print_template(
            "certificates/certificate.html",
            summary=summarize(credential),
            verification_url=url,
            verify_page=verify_page_url(ctx.public_url),
            credential_id=credential_url(ctx.public_url, credential),
            now=now,
            **images,
        )


def certificate_source(
    credential: IssuedCredential, *, ctx: IssuingContext, paper: str, now: datetime
) -> PdfSource:
    """What the certificate PDF is made of: page, stylesheet, images and attached files.

    :raises UserError: a `paper` other than a4 or letter.
    """
    stylesheet = certificate_stylesheet(paper_size(paper))
    images = certificate_images(credential, ctx=ctx)
    return PdfSource(
        html=render_certificate_html(credential, ctx=ctx, now=now, images=images),
        stylesheets=(stylesheet,),
        attachments=tuple(credential_attachments(credential, ctx)),
        images=tuple(image for image in images.values() if image is not None),
    )


def render_certificate(
    credential: IssuedCredential, *, ctx: IssuingContext, paper: str, now: datetime
) -> bytes:
    """The certificate PDF with the credential and the issuer's keys attached, rendered now.

    :raises UserError: a `paper` other than a4 or letter.
    """
    return certificate_source(credential, ctx=ctx, paper=paper, now=now).render()


def certificate_pdf(
    credential: IssuedCredential, *, ctx: IssuingContext, paper: str, now: datetime
) -> bytes:
    """The certificate PDF for a download: the one rendered before from the same source, if
    this process kept it (`app.share.pdf.cached_pdf`), else rendered now.

    :raises UserError: a `paper` other than a4 or letter.
    """
    return cached_pdf(certificate_source(credential, ctx=ctx, paper=paper, now=now))


def warm_up_certificates() -> None:
    """Load WeasyPrint and the fonts, and parse the stylesheet of every paper size, in this
    thread (needs an application context, not the database): the first certificate a
    visitor asks for is then as fast as the next."""
    for page_size in PAPER_SIZES.values():
        warm_up([certificate_stylesheet(page_size)])


def warm_up_worker() -> float:
    """At the start of a server worker: warm the PDF renderer up, then freeze what is alive.

    Frozen objects (the code, the app, WeasyPrint's tables) are skipped by the garbage
    collector, so the collection that ends each PDF (app/share/pdf.py) stays cheap and a
    worker's memory stays flat. Needs an application context. Returns the seconds taken.
    """
    started = time.perf_counter()
    warm_up_certificates()
    freeze_long_lived_objects()
    return time.perf_counter() - started
