"""The default Cache-Control: an answer that read the session is meant for one person.

Routes that serve truly public documents (status lists, DID document, JWKS, images
of published badges) set their own public Cache-Control; everything else that
looked at who is signed in is marked private and not stored, so a shared cache
never hands one person's page to another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from flask import Response

PRIVATE = "private, no-store"


def register_cache_policy(app: Flask) -> None:
    from flask import session

    @app.after_request
    def private_unless_said(response: Response) -> Response:
        if "Cache-Control" not in response.headers and session.accessed:
            response.headers["Cache-Control"] = PRIVATE
        return response
