"""The OpenAPI 3.1 document of Laurel's JSON API (/api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from app.api.vcapi_openapi import vcapi_paths
from app.api.vcapi_openapi import vcapi_schemas
from app.api.vcapi_openapi import vcapi_security_schemes

_ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string"},
        "message": {
            "type": "string",
            "description": "What went wrong, in a sentence for a person.",
        },
        "status": {"type": "integer"},
    },
}

_CHECK = {
    "type": "object",
    "required": ["name", "outcome", "message"],
    "properties": {
        "name": {"type": "string", "examples": ["proof", "key", "dates", "status", "schema"]},
        "outcome": {"enum": ["passed", "failed", "could not check"]},
        "message": {"type": "string"},
        "detail": {"type": ["string", "null"]},
    },
}

_REPORT = {
    "type": "object",
    "required": ["verified", "verdict", "headline", "checks"],
    "properties": {
        "verified": {"type": "boolean", "description": "True only when every check passed."},
        "verdict": {
            "enum": [
                "verified",
                "expired",
                "revoked",
                "suspended",
                "partly withdrawn",
                "could not check",
                "unknown issuer",
                "not verified",
            ],
            "description": (
                "“unknown issuer”: the signature is valid but its key belongs to no issuer "
                "Laurel knows (this school, a did:web domain, the school's trust list). "
                "“partly withdrawn”: a genuine learner record holding a credential revoked or "
                "suspended since; `credentials` reports each one."
            ),
        },
        "headline": {"type": "string"},
        "summary": {
            "type": "string",
            "description": "The verdict in a sentence (naming the learner, for this school's own).",
        },
        "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
        "source_format": {"type": "string"},
        "source_url": {"type": ["string", "null"]},
        "issuer": {"type": "object"},
        "subject": {"type": "object"},
        "badge": {"type": "object"},
        "issued_on": {"type": ["string", "null"], "format": "date-time"},
        "valid_from": {"type": ["string", "null"], "format": "date-time"},
        "valid_until": {"type": ["string", "null"], "format": "date-time"},
        "evidence": {"type": "array", "items": {"type": "object"}},
        "status_reason": {"type": ["string", "null"]},
        "status_changed_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When this school recorded the revocation or suspension.",
        },
        "learner_name": {
            "type": ["string", "null"],
            "description": "The learner's name as the signed credential gives it (not hashed).",
        },
        "learner": {
            "type": "string",
            "description": "The learner's signed name in a sentence, or that there is none.",
        },
        "credential": {"type": ["object", "null"]},
        "jwt": {"type": ["string", "null"]},
        "credentials": {
            "type": "array",
            "items": {"type": "object"},
            "description": (
                "For a learner record (CLR): each credential inside, with its own verdict, "
                "headline and checks (a report without `credential` and `jwt`, plus its `id`)."
            ),
        },
        "endorsements": {
            "type": "array",
            "description": (
                "Each endorsement the credential embeds (of itself, its achievement or its "
                "issuer), verified on its own: `verified`, `outcome` (verified, failed, could "
                "not check), `reason`, `about`, `endorsed_id`, `id`, `endorser` {id, name} as "
                "the endorsement states them, its `verdict` and `checks`. It never changes "
                "the credential's own verdict."
            ),
            "items": {
                "type": "object",
                "required": ["about", "verified", "outcome", "reason", "endorser"],
                "properties": {
                    "about": {"enum": ["credential", "achievement", "issuer"]},
                    "endorsed_id": {"type": ["string", "null"]},
                    "id": {"type": ["string", "null"]},
                    "endorser": {"type": "object"},
                    "verified": {"type": "boolean"},
                    "outcome": {"enum": ["verified", "failed", "could not check"]},
                    "reason": {"type": ["string", "null"]},
                    "verdict": {"type": ["string", "null"]},
                    "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
                },
            },
        },
        "record": {
            "type": "object",
            "description": "This school's record, when the credential is genuine and issued here.",
            "properties": {
                "learner_name": {"type": "string"},
                "level": {"type": ["string", "null"]},
                "state": {"enum": ["active", "suspended", "revoked"]},
                "status_reason": {"type": ["string", "null"]},
            },
        },
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(public_url: str) -> dict[str, Any]:
    """The document, with this deployment's public URL as the server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Laurel API",
            "version": "1.0.0",
            "description": (
                "Verify Open Badges 3.0 credentials (any issuer); read this school's credentials; "
                "the VC-API (issue, verify, presentations, status) at the site's root."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": f"{public_url}/api/v1"}],
        "paths": {
            "/verify": {
                "post": {
                    "operationId": "verifyCredential",
                    "summary": "Verify a credential",
                    "description": (
                        "Runs the full verification (proofs, issuer key, dates, revocation "
                        "status, schema) and answers a report: HTTP 200 for a genuine document "
                        "(verified, expired, revoked, suspended or not fully checkable), 422 with "
                        "the report when it is not genuine, 400 for input "
                        "that holds no readable credential."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {
                                            "type": "object",
                                            "description": "The signed credential itself.",
                                        },
                                        {
                                            "type": "object",
                                            "required": ["verifiableCredential"],
                                            "properties": {
                                                "verifiableCredential": {
                                                    "type": ["object", "string"]
                                                },
                                                "options": {"type": "object"},
                                            },
                                        },
                                        {
                                            "type": "object",
                                            "required": ["url"],
                                            "properties": {
                                                "url": {"type": "string", "format": "uri"}
                                            },
                                        },
                                    ]
                                }
                            },
                            "application/vc+ld+json": {"schema": {"type": "object"}},
                            "application/vc+jwt": {"schema": {"type": "string"}},
                            "text/plain": {
                                "schema": {"type": "string", "description": "A VC-JWT or a URL."}
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {
                                            "type": "string",
                                            "contentMediaType": "application/octet-stream",
                                            "description": "Baked PNG or SVG, PDF, JSON or JWT.",
                                        }
                                    },
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The verification report.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Report"}
                                }
                            },
                        },
                        "400": _error_response("The input is not a credential Laurel can read."),
                        "422": {
                            "description": (
                                "Not a genuine credential (forged, tampered, unknown context…): "
                                "the report says why."
                            ),
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Report"}
                                }
                            },
                        },
                        "413": _error_response("The upload is larger than the limit."),
                        "429": _error_response("Too many requests."),
                    },
                }
            },
            "/credentials/{id}": {
                "get": {
                    "operationId": "getCredential",
                    "summary": "A credential issued by this school, as stored at issuance",
                    "description": "Served while its learner shares it; 404 otherwise.",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The signed credential (exact bytes as issued).",
                            "content": {
                                "application/vc+ld+json": {"schema": {"type": "object"}},
                                "application/ld+json": {"schema": {"type": "object"}},
                                "application/json": {"schema": {"type": "object"}},
                                "application/vc+jwt": {"schema": {"type": "string"}},
                                "text/plain": {"schema": {"type": "string"}},
                            },
                        },
                        "404": _error_response("No such credential, or it is not shared."),
                        "406": _error_response("None of the accepted media types can be served."),
                    },
                }
            },
            **vcapi_paths(public_url),
            "/health": {
                "get": {
                    "operationId": "getHealth",
                    "summary": "Liveness for load balancers",
                    "responses": {
                        "200": {
                            "description": "The process answers",
                            "content": {"application/json": {}},
                        }
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": {"application/json": {}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {"Error": _ERROR, "Check": _CHECK, "Report": _REPORT, **vcapi_schemas()},
            "securitySchemes": vcapi_security_schemes(public_url),
        },
    }
