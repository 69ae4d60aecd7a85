"""Imsx_StatusInfo: the error body of every Open Badges API answer that is not a success."""

from __future__ import annotations

import json

from flask import Response

# HTTP status -> the imsx_codeMinor value the specification pairs with it.
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    500: "internal_server_error",
}


def status_info(status: int, description: str, code_minor: str | None = None) -> Response:
    """An Imsx_StatusInfo failure answer; the description is a sentence for a person.

    Written with ensure_ascii off, so the description reads as it was written.
    """
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": code_minor or CODE_MINOR.get(status, "unknown"),
                }
            ]
        },
    }
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
