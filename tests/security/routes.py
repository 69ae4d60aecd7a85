"""The URL map of a Laurel application, read at collection time, and values for its arguments."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass

from app import create_app

# A value for each view argument of the URL map, as a format string over the world.
ARGUMENT_VALUES = {
    "slug": "{badge_slug}",
    "credential_id": "{credential_id}",
    "achievement_uuid": "{achievement_uuid}",
    "share_token": "{share_token}",
    "verify_token": "{verify_token}",
    "public_token": "{approved_public_token}",
    "token": "{invite_token}",
    "purpose": "revocation",
    "number": "1",
    "kind": "json",
    "class_id": "{class_id}",
    "user_id": "{student_id}",
    "submission_id": "{submitted_id}",
    "item_id": "{approved_public_file_id}",
    "entry_id": "{trust_entry_id}",
    "job_id": "{bulk_job_id}",
    "held_id": "{held_credential_id}",
    "api_client_id": "{api_client_id}",
    "connection_id": "{backpack_connection_id}",
    "proposal_id": "{proposal_id}",
    "import_id": "{roster_import_id}",
    "client_id": "{connected_client_id}",
    "pathway_id": "{pathway_id}",
    "completion_id": "{pathway_completion_id}",
    "action": "revoke",
    "filename": "css/laurel.css",
    "key": "{sso_key}",
    "goal_id": "{goal_id}",
    "reflection_id": "{reflection_id}",
    "counselor_id": "{counselor_id}",
    "student_id": "{student_id}",
    "endorser_id": "{endorser_id}",
    "endorsement_id": "{badge_endorsement_id}",
    "platform_id": "{lti_platform_id}",
    "offer_id": "{wallet_offer_id}",
    "issuer_path": "laurel",
}


@dataclass(frozen=True)
class Rule:
    method: str
    rule: str
    endpoint: str
    arguments: tuple[str, ...]

    def path(self, **replace: str) -> str:
        """The rule as a format string, with `replace`d arguments given as they are."""
        path = self.rule
        for name in self.arguments:
            value = replace.get(name, ARGUMENT_VALUES[name])
            path = path.replace(self._placeholder(name), value)
        return path

    def _placeholder(self, name: str) -> str:
        start = self.rule.index(f":{name}>") if f":{name}>" in self.rule else None
        if start is None:
            return f"<{name}>"
        return self.rule[self.rule.rindex("<", 0, start) : start + len(name) + 2]

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"


@functools.cache
def url_rules() -> tuple[Rule, ...]:
    """Every (method, rule) of the application, HEAD and OPTIONS left out."""
    with tempfile.TemporaryDirectory() as instance:
        application = create_app(
            {
                "LAUREL_ENV": "test",
                "INSTANCE_PATH": instance,
                "SECRET_KEY": "url-map-only",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "LAUREL_KEY_PASSPHRASE": "url-map-only",
            }
        )
        rules = [
            Rule(method, rule.rule, rule.endpoint, tuple(rule.arguments))
            for rule in application.url_map.iter_rules()
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ]
    return tuple(sorted(rules, key=lambda rule: (rule.rule, rule.method)))
