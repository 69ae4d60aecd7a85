"""The Service Description Document of the Open Badges API (GET /ims/ob/v3p0/discovery).

A profiled copy of the specification's OpenAPI 3.0 document: the operations Laurel
serves, and the OAuth2ACG security scheme telling a client where to register
(x-imssf-registrationUrl), authorize, fetch and refresh tokens, and which scopes exist.
"""

from __future__ import annotations

from typing import Any

from app.backpack.scopes import CREDENTIAL_READONLY
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack.scopes import PROFILE_READONLY
from app.backpack.scopes import PROFILE_UPDATE
from app.backpack.scopes import SCOPES

API_PATH = "/ims/ob/v3p0"
_JWS = {"type": "string", "pattern": "^[a-zA-Z0-9_-]+\\.[a-zA-Z0-9_-]*\\.[a-zA-Z0-9_-]+$"}
_IMSX = {"$ref": "#/components/schemas/Imsx_StatusInfo"}
_RESPONSE = {"$ref": "#/components/schemas/GetOpenBadgeCredentialsResponse"}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": "The request failed; the body says why.",
            "content": {"application/json": {"schema": _IMSX}},
        }
        for code in codes
    }


def _operation(operation_id: str, scope: str, responses: dict[str, Any], **more: Any) -> dict:
    return {
        "operationId": operation_id,
        "tags": ["OpenBadgeCredentials"],
        "security": [{"OAuth2ACG": [scope]}],
        "responses": {**responses, **_errors(400, 401, 403, 405, 500)},
        **more,
    }


def service_description(public_url: str, school_name: str) -> dict[str, Any]:
    """The discovery document for the school at `public_url`."""
    credential_body = {
        "application/json": {"schema": {"type": "object"}},
        "text/plain": {"schema": _JWS},
    }
    info: dict[str, Any] = {
        "title": f"{school_name}: Open Badges API",
        "description": "The learner's badges at this school, through the Open Badges 3.0 API.",
        "version": "3.0",
        "termsOfService": f"{public_url}/",
        "x-imssf-privacyPolicyUrl": f"{public_url}/",
    }
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    ]
    return {
        "openapi": "3.0.1",
        "info": info,
        "servers": [{"url": f"{public_url}{API_PATH}"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": _operation(
                    "getCredentials",
                    CREDENTIAL_READONLY,
                    {
                        "200": {
                            "description": "The learner's credentials, one page of them.",
                            "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": _RESPONSE}},
                        }
                    },
                    parameters=paging,
                ),
                "post": _operation(
                    "upsertCredential",
                    CREDENTIAL_UPSERT,
                    {
                        "200": {"description": "Replaced.", "content": credential_body},
                        "201": {"description": "Created.", "content": credential_body},
                        **_errors(304, 404),
                    },
                    requestBody={"required": True, "content": credential_body},
                    description=(
                        "Verifies and keeps a credential awarded to the token's learner: its "
                        "credentialSubject.id is the learner's id (or mailto: their e-mail), "
                        "or an emailAddress identifier is their e-mail. Any other recipient, "
                        "or none, is answered 400 with an Imsx_StatusInfo saying so."
                    ),
                ),
            },
            "/profile": {
                "get": _operation(
                    "getProfile",
                    PROFILE_READONLY,
                    {
                        "200": {
                            "description": "The learner's Profile.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors(404),
                    },
                ),
                "put": _operation(
                    "putProfile",
                    PROFILE_UPDATE,
                    {
                        "200": {
                            "description": "The stored Profile.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors(304, 404),
                    },
                    requestBody={
                        "required": True,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                ),
            },
            "/discovery": {
                "get": {
                    "operationId": "getServiceDescription",
                    "tags": ["Discovery"],
                    "responses": {"200": {"description": "This document."}},
                }
            },
        },
        "components": {
            "schemas": {
                "GetOpenBadgeCredentialsResponse": {
                    "type": "object",
                    "properties": {
                        "credential": {"type": "array", "items": {"type": "object"}},
                        "compactJwsString": {"type": "array", "items": _JWS},
                    },
                    "additionalProperties": False,
                },
                "Imsx_StatusInfo": {
                    "type": "object",
                    "required": ["imsx_codeMajor", "imsx_severity"],
                    "properties": {
                        "imsx_codeMajor": {
                            "enum": ["success", "processing", "failure", "unsupported"]
                        },
                        "imsx_severity": {"enum": ["status", "warning", "error"]},
                        "imsx_description": {"type": "string"},
                        "imsx_codeMinor": {"type": "object"},
                    },
                },
            },
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 authorization code grant with PKCE (S256).",
                    "x-imssf-registrationUrl": f"{public_url}/oauth/register",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{public_url}/oauth/authorize",
                            "tokenUrl": f"{public_url}/oauth/token",
                            "refreshUrl": f"{public_url}/oauth/token",
                            "scopes": dict(SCOPES),
                        }
                    },
                }
            },
        },
    }
