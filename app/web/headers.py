"""Security headers on every response: Laurel's browser policy, written down once.

* Content-Security-Policy: scripts, styles, fonts and fetches come from Laurel itself
  (static/js, static/css; no inline script, inline style or event-handler attribute in
  templates/), images also from data: URIs (QR codes and badge images are embedded
  that way), no plugins, no <base>, forms post only to Laurel, and no page may be
  framed (approve, revoke and share buttons must not be clickjacked). A response that
  sets its own policy (uploaded evidence, badge SVGs: `default-src 'none'`, sandbox)
  keeps it, with `frame-ancestors 'none'` added when it lacks one.
* X-Frame-Options: DENY, for browsers that predate frame-ancestors.
* X-Content-Type-Options: nosniff, so no upload or JSON document is run as a script.
* Referrer-Policy: same-origin. Share links and invitation links carry secrets in the
  path and must not leak to other sites; same-origin posts keep their Referer, which
  Flask-WTF's CSRF check requires over HTTPS.
* Permissions-Policy: no camera, microphone or location, except the camera on the
  verify page, whose QR scanner needs it.
* Cross-Origin-Opener-Policy: same-origin, so a page Laurel links to cannot reach back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from flask import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
CAMERA_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"
# The endpoints that render the verify page with its QR scanner (also shown again on an error).
CAMERA_ENDPOINTS = frozenset({"verify.form", "verify.check"})

FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set Laurel's security headers on `response` (a view's own CSP is kept, made unframeable)."""
    from flask import request

    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        policy = CONTENT_SECURITY_POLICY
    elif "frame-ancestors" not in policy:
        policy = f"{policy}; frame-ancestors 'none'"
    response.headers["Content-Security-Policy"] = policy
    camera = request.endpoint in CAMERA_ENDPOINTS
    response.headers["Permissions-Policy"] = (
        CAMERA_PERMISSIONS_POLICY if camera else PERMISSIONS_POLICY
    )
    for name, value in FIXED_HEADERS.items():
        # A view may send a stricter value (the verification page: no referrer at all).
        response.headers.setdefault(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    """Send Laurel's security headers on every response of `app`, errors included."""
    app.after_request(add_security_headers)
