"""The VC-API's part of the OpenAPI document: its four paths, schemas and OAuth 2.0 scheme.

The VC-API lives at the site's root (/credentials/issue…), not under /api/v1, so each of
its paths names its own server.
"""

from __future__ import annotations

from typing import Any

from app.backpack.scopes import API_SCOPES
from app.backpack.scopes import VC_ISSUE
from app.backpack.scopes import VC_STATUS

_VC_ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string", "description": "A title: Bad request, Unauthorized…"},
        "message": {"type": "string", "description": "What is wrong, in a sentence."},
        "status": {"type": "integer"},
        "rule": {
            "type": "string",
            "description": "The VC Data Model rule the credential breaks (issue only).",
        },
        "path": {"type": "string", "description": "Where in the credential (issue only)."},
    },
}

_VERIFY_RESULT = {
    "type": "object",
    "required": ["verified", "checks", "warnings", "errors"],
    "properties": {
        "verified": {"type": "boolean"},
        "checks": {"type": "array", "items": {"type": "string"}, "description": "Checks passed."},
        "warnings": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Check"},
            "description": "Checks that could not be made (no error).",
        },
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
        "report": {"type": "object", "description": "Laurel's full verification report."},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": _json({"$ref": f"#/components/schemas/{schema}"}),
    }


def _operation(
    operation_id: str,
    summary: str,
    description: str,
    body: dict[str, Any],
    responses: dict[str, Any],
    scope: str | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": ["VC-API"],
        "summary": summary,
        "description": description,
        "requestBody": {"required": True, "content": _json(body)},
        "responses": responses,
    }
    if scope is not None:
        operation["security"] = [{"VcApiClientCredentials": [scope]}]
        operation["responses"] |= {
            "401": _answer("No token, or a token that is expired or revoked.", "VcApiError"),
            "403": _answer(f"The token lacks the {scope} scope.", "VcApiError"),
        }
    return operation


def vcapi_paths(public_url: str) -> dict[str, Any]:
    """The VC-API's path items, served from the site's root."""
    servers = [{"url": public_url}]
    bad = _answer("Not a JSON object, or a member missing or of the wrong kind.", "VcApiError")
    verify_answers = {
        "200": _answer("Verified.", "VcApiVerifyResult"),
        "400": bad,
        "422": _answer("Not verified: `errors` says why.", "VcApiVerifyResult"),
        "429": _answer("Too many requests.", "VcApiError"),
    }
    return {
        "/credentials/issue": {
            "servers": servers,
            "post": _operation(
                "vcApiIssueCredential",
                "Issue a credential (VC-API)",
                "Checks the credential against every VC Data Model 2.0 rule and signs it "
                "(eddsa-rdfc-2022) as the school's did:web, or as the did:key issuer when "
                "`options.issuer` or the credential's issuer names it and an admin enabled it. "
                "Laurel keeps every credential it signs, with the client that asked. "
                "With `options.credentialStatus` {type: BitstringStatusListEntry}, or by "
                "default for a did:web VC 2.0 credential without `id` or `credentialStatus` "
                "of its own, the credential gets the id "
                f"{public_url}/api-credentials/<uuid> and two BitstringStatusListEntry "
                "entries (revocation, suspension) in the school's status lists: the id to "
                "send to POST /credentials/status.",
                {
                    "type": "object",
                    "required": ["credential"],
                    "properties": {
                        "credential": {"type": "object"},
                        "options": {
                            "type": "object",
                            "properties": {
                                "issuer": {"type": "string"},
                                "credentialStatus": {
                                    "type": "object",
                                    "required": ["type"],
                                    "properties": {
                                        "type": {
                                            "enum": [
                                                "BitstringStatusListEntry",
                                                "BitstringStatusList",
                                            ]
                                        }
                                    },
                                },
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                {
                    "201": {
                        "description": "The signed credential, byte for byte as kept.",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["verifiableCredential"],
                                "properties": {"verifiableCredential": {"type": "object"}},
                            }
                        ),
                    },
                    "400": _answer(
                        "A VC Data Model rule is broken (`rule` names it), another issuer is "
                        "named, status entries are asked for a credential that cannot have "
                        "them (the did:key issuer, an `id` or `credentialStatus` of its own, "
                        "VC 1.1), or the body is not usable.",
                        "VcApiError",
                    ),
                },
                VC_ISSUE,
            ),
        },
        "/credentials/verify": {
            "servers": servers,
            "post": _operation(
                "vcApiVerifyCredential",
                "Verify a credential (VC-API)",
                "Public and rate-limited. Proofs, issuer key, dates, status and the data model "
                "(every check, whatever `checks` names); `returnCredential` echoes the "
                "credential. An unknown option is refused (400, type UNKNOWN_OPTION_PROVIDED).",
                {
                    "type": "object",
                    "required": ["verifiableCredential"],
                    "properties": {
                        "verifiableCredential": {"type": "object"},
                        "options": {
                            "type": "object",
                            "properties": {
                                "checks": {"type": "array", "items": {"type": "string"}},
                                "returnResults": {"type": "boolean"},
                                "returnProblemDetails": {"type": "boolean"},
                                "returnCredential": {"type": "boolean"},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                verify_answers,
            ),
        },
        "/presentations/verify": {
            "servers": servers,
            "post": _operation(
                "vcApiVerifyPresentation",
                "Verify a presentation (VC-API)",
                "Public and rate-limited. The holder's authentication proof must echo "
                "`options.challenge` and `options.domain`; each credential is verified too.",
                {
                    "type": "object",
                    "required": ["verifiablePresentation"],
                    "properties": {
                        "verifiablePresentation": {"type": "object"},
                        "options": {
                            "type": "object",
                            "properties": {
                                "checks": {"type": "array", "items": {"type": "string"}},
                                "challenge": {"type": "string"},
                                "domain": {"type": "string"},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
                verify_answers,
            ),
        },
        "/credentials/status": {
            "servers": servers,
            "post": _operation(
                "vcApiUpdateStatus",
                "Revoke, suspend or reinstate a credential (VC-API)",
                "For a badge credential of the school (<site>/credentials/<uuid>), any client "
                "with the scope; for a credential issued through POST /credentials/issue "
                "with status entries (<site>/api-credentials/<uuid>), only the client that "
                "issued it (an admin uses `laurel revoke|suspend|reinstate`). The status "
                "list is republished at once. A revocation is final. VCALM's form "
                "({credentialStatus: {type, statusPurpose}, status: true|false}) is "
                "accepted too.",
                {
                    "type": "object",
                    "required": ["credentialId", "credentialStatus"],
                    "properties": {
                        "credentialId": {"type": "string", "format": "uri"},
                        "credentialStatus": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["type", "status"],
                                "properties": {
                                    "type": {"const": "BitstringStatusListEntry"},
                                    "status": {
                                        "enum": ["revoked", "suspended", "active", "reinstated"]
                                    },
                                },
                            },
                        },
                    },
                },
                {
                    "200": {
                        "description": "The new state.",
                        "content": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "credentialId": {"type": "string"},
                                    "state": {"type": "string"},
                                },
                            }
                        ),
                    },
                    "400": _answer(
                        "Not an id Laurel minted, an unknown status, or the body is not usable.",
                        "VcApiError",
                    ),
                    "404": _answer(
                        "No such credential, or one another client issued (answered alike).",
                        "VcApiError",
                    ),
                    "409": _answer(
                        "The state does not allow the change, or the credential carries no "
                        "status entries.",
                        "VcApiError",
                    ),
                },
                VC_STATUS,
            ),
        },
    }


def vcapi_schemas() -> dict[str, Any]:
    return {"VcApiError": _VC_ERROR, "VcApiVerifyResult": _VERIFY_RESULT}


def vcapi_security_schemes(public_url: str) -> dict[str, Any]:
    """API clients created by an admin (`laurel api-clients create`) take tokens here."""
    return {
        "VcApiClientCredentials": {
            "type": "oauth2",
            "description": "API clients are created by an admin; the secret is shown once.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": f"{public_url}/oauth/token",
                    "scopes": dict(API_SCOPES),
                }
            },
        }
    }
