"""Every form Laurel accepts: where it posts, who may post it, and a valid filling.

Paths and values are format strings filled from the world (tests/test_authz_matrix.py).
`files` names the upload fields. A test checks that every POST rule of the URL map
has an entry, so a new form cannot be left out of the security suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Form:
    path: str
    role: str
    data: dict[str, str]
    files: tuple[str, ...] = ()
    name: str = ""
    # Fields whose values are choices or ids, not text a person types.
    choices: frozenset[str] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return self.name or self.path


BADGE = {
    "name": "Security Badge",
    "description": "A badge.",
    "criteria_narrative": "Show it.",
    "criteria_items": "First step",
    "evidence_prompt": "Show me.",
    "accepted_kinds": "text",
    "levels-0-name": "Proficient",
    "levels-0-description": "Does it well.",
    "required_row": "0",
    "alignments-0-name": "Brakes",
    "alignments-0-url": "https://standards.example/a5",
    "alignments-0-framework": "ASE",
    "alignments-0-code": "A5",
    "tags": "automotive",
    "achievement_type": "Badge",
    "expiry_months": "",
    "class_id": "0",
    "revision": "1",
}
BADGE_CHOICES = frozenset(
    {"accepted_kinds", "achievement_type", "class_id", "revision", "required_row", "expiry_months"}
)
PASSWORD = "a-long-new-passphrase-9"
PROPOSAL = {
    "title": "Wheel Builder",
    "learning": "Lacing and truing.",
    "criteria": "Build a true wheel.",
    "evidence_plan": "A video.",
}
VERSION = frozenset({"version"})
NOTIFICATION_KINDS = ("submission_received", "review", "credential_issued", "endorsement_request")

FORMS: list[Form] = [
    Form("/login", "anonymous", {"email": "sam@school.test", "password": "wrong-password"}),
    Form("/logout", "student", {}),
    Form(
        "/language",
        "anonymous",
        {"language": "es", "next": "/"},
        # `next` is the page's own address, not typed: a bad one sends the visitor home.
        choices=frozenset({"language", "next"}),
    ),
    Form(
        "/account/password",
        "student",
        {"current_password": "wrong", "new_password": PASSWORD, "confirm_password": PASSWORD},
    ),
    Form(
        "/invite/{invite_token}",
        "anonymous",
        {"name": "Ivy Invited", "new_password": PASSWORD, "confirm_password": PASSWORD},
    ),
    Form(
        "/admin/users",
        "admin",
        {"name": "Nina New", "email": "nina@school.test", "role": "student", "class_id": "0"},
        choices=frozenset({"role", "class_id"}),
    ),
    Form(
        "/admin/users/{student_id}/role",
        "admin",
        {"role": "instructor"},
        choices=frozenset({"role"}),
    ),
    Form("/admin/users/{student_id}/deactivate", "admin", {}),
    Form("/admin/users/{student_id}/reactivate", "admin", {}),
    Form("/admin/users/{invited_id}/invite", "admin", {}),
    Form("/admin/roster", "admin", {}, files=("roster",)),
    Form("/admin/roster/{roster_import_id}/apply", "admin", {"digest": "{roster_digest}"}),
    Form("/admin/classes", "admin", {"name": "Physics 1"}),
    Form(
        "/admin/classes/{class_id}/members",
        "admin",
        {"user_id": "{other_student_id}", "role": "student"},
        choices=frozenset({"user_id", "role"}),
    ),
    Form("/admin/classes/{class_id}/members/{student_id}/remove", "admin", {}),
    Form(
        "/admin/issuer",
        "admin",
        {
            "name": "Security High",
            "url": "https://school.example",
            "email": "office@school.example",
            "description": "A school.",
        },
        files=("logo",),
    ),
    Form("/badges/new", "instructor_of_class", BADGE, files=("image",), choices=BADGE_CHOICES),
    Form(
        "/badges/{draft_badge_slug}/edit",
        "instructor_of_class",
        {**BADGE, "class_id": "{class_id}"},
        files=("image",),
        choices=BADGE_CHOICES,
    ),
    Form("/badges/{draft_badge_slug}/publish", "instructor_of_class", {}),
    Form("/badges/{badge_slug}/archive", "instructor_of_class", {}),
    Form("/badges/{evidence_badge_slug}/pursue", "student", {}),
    Form("/badges/{evidence_badge_slug}/unpursue", "student", {}),
    Form("/badges/{evidence_badge_slug}/submission", "student", {}),
    Form(
        "/submissions/{draft_id}/edit",
        "student",
        {"reflection": "I did it.", "action": "save"},
        choices=frozenset({"action"}),
    ),
    Form(
        "/submissions/{draft_id}/links",
        "student",
        {"link-url": "https://video.example/truck", "link-title": "The video", "link-public": "y"},
        choices=frozenset({"link-public"}),
    ),
    Form(
        "/submissions/{draft_id}/texts",
        "student",
        {"text-text": "More notes.", "text-title": "Notes", "text-public": "y"},
        choices=frozenset({"text-public"}),
    ),
    Form(
        "/submissions/{draft_id}/files",
        "student",
        {"file-title": "Truck", "file-public": "y"},
        files=("file-file",),
        choices=frozenset({"file-public"}),
    ),
    Form("/submissions/{draft_id}/items/{draft_item_id}/remove", "student", {}),
    Form("/submissions/{submitted_id}/withdraw", "student", {}),
    Form("/submissions/{submitted_id}/comments", "student", {"comment-message": "A question."}),
    Form(
        "/review/{submitted_id}/approve",
        "instructor_of_class",
        {"approve-level": "{proficient_id}", "approve-feedback": "Well done."},
        choices=frozenset({"approve-level"}),
    ),
    Form(
        "/review/{submitted_id}/changes",
        "instructor_of_class",
        {"changes-feedback": "Add a photo."},
    ),
    Form(
        "/review/{submitted_id}/reject", "instructor_of_class", {"reject-reason": "Not your work."}
    ),
    Form(
        "/credentials/{credential_id}/revoke",
        "instructor_of_class",
        {"reason": "Issued by mistake."},
    ),
    Form(
        "/credentials/{credential_id}/suspend", "instructor_of_class", {"reason": "Under review."}
    ),
    Form("/credentials/{credential_id}/reinstate", "instructor_of_class", {"reason": "Fine."}),
    Form("/credentials/{credential_id}/reissue", "instructor_of_class", {}),
    Form(
        "/credentials/{credential_id}/verification",
        "student",
        {"verification": "on"},
        choices=frozenset({"verification"}),
    ),
    Form("/learners/{student_id}/name", "admin", {"name": "Sam Student-Corrected"}),
    Form("/admin/users/{student_id}/sign-out", "admin", {}),
    Form(
        "/credentials/{credential_id}/share",
        "student",
        {"sharing": "off"},
        choices=frozenset({"sharing"}),
    ),
    Form(
        "/verify",
        "anonymous",
        {"url": "https://laurel.test/credentials/x"},
        files=("file",),
        name="/verify (address)",
    ),
    Form("/verify", "anonymous", {"text": "eyJhbGciOiJub25lIn0.e30."}, name="/verify (pasted)"),
    Form("/api/v1/verify", "anonymous", {}, files=("file",)),
    Form(
        "/admin/trust",
        "admin",
        {"identifier": "did:web:district.example", "name": "Lakeside District", "note": "Registry"},
    ),
    Form("/admin/trust/import", "admin", {}, files=("trust_file",)),
    Form("/admin/trust/{trust_entry_id}/remove", "admin", {}),
    Form("/bulk", "instructor_of_class", {}, files=("csv_file",)),
    Form(
        "/review/bulk",
        "instructor_of_class",
        {"submission": "{submitted_id}"},
        choices=frozenset({"submission"}),
    ),
    Form("/bulk/{bulk_job_id}/confirm", "instructor_of_class", {}),
    # The Open Badges API backpack: applications' endpoints, the consent page, the learner's list.
    Form("/oauth/register", "anonymous", {"client_name": "Portfolio Wallet"}),
    Form(
        "/oauth/token",
        "anonymous",
        {
            "grant_type": "authorization_code",
            "code": "a-code",
            "redirect_uri": "https://wallet.example/cb",
            "code_verifier": "a-verifier",
        },
        choices=frozenset({"grant_type"}),
    ),
    Form(
        "/oauth/revoke",
        "anonymous",
        {"token": "a-token", "token_type_hint": "access_token"},
        choices=frozenset({"token_type_hint"}),
    ),
    Form("/oauth/authorize", "student", {"decision": "allow"}, choices=frozenset({"decision"})),
    Form("/ims/ob/v3p0/credentials", "anonymous", {}),
    Form("/backpack/{held_credential_id}/remove", "student", {}),
    # Sending a credential to another backpack; forgetting a connected one.
    Form("/credentials/{credential_id}/send", "student", {"address": "http://backpack.example"}),
    Form(
        "/backpack/connections/{backpack_connection_id}/disconnect",
        "student",
        {"credential_id": "{credential_id}"},
        choices=frozenset({"credential_id"}),
    ),
    Form("/backpack/apps/{connected_client_id}/revoke", "student", {}),
    Form("/backpack/import", "student", {"badge_text": "my old badge"}, files=("badge_file",)),
    # The VC-API: JSON bodies and bearer tokens, no session; its clients' admin page.
    Form("/credentials/issue", "anonymous", {}),
    Form("/credentials/verify", "anonymous", {}),
    Form("/presentations/verify", "anonymous", {}),
    Form("/credentials/status", "anonymous", {}),
    Form(
        "/admin/api-clients",
        "admin",
        {"name": "Records office", "scopes": "vc:issue"},
        choices=frozenset({"scopes"}),
    ),
    Form("/admin/api-clients/{api_client_id}/revoke", "admin", {}),
    Form("/admin/api-clients/did-key", "admin", {}),
    Form(
        "/backpack/{held_credential_id}/record",
        "student",
        {"include": "off"},
        choices=frozenset({"include"}),
    ),
    # Student-proposed badges.
    Form(
        "/proposals/new",
        "student",
        {**PROPOSAL, "class_id": "{class_id}", "action": "save"},
        choices=frozenset({"class_id", "action"}),
    ),
    Form(
        "/proposals/{proposal_id}/edit",
        "student",
        {**PROPOSAL, "version": "1"},
        choices=frozenset({"version"}),
    ),
    Form("/proposals/{proposal_id}/submit", "student", {"version": "1"}, choices=VERSION),
    Form("/proposals/{proposal_id}/withdraw", "student", {"version": "1"}, choices=VERSION),
    Form("/proposals/{proposal_id}/comments", "student", {"comment-message": "Which spokes?"}),
    Form(
        "/proposals/{proposal_id}/decide",
        "instructor_of_class",
        {"decision": "changes", "message": "Name the spokes.", "version": "1"},
        choices=frozenset({"decision", "version"}),
    ),
    # Goals, reflections, the learner profile, counselors.
    Form(
        "/goals",
        "student",
        {"title": "Restore the brakes", "kind": "badge", "badge_id": "{published_badge_id}"},
        choices=frozenset({"kind", "badge_id"}),
    ),
    Form("/goals/{goal_id}/edit", "student", {"title": "Brakes first"}),
    Form("/goals/{goal_id}/delete", "student", {}),
    Form(
        "/reflections",
        "student",
        {"text": "It went well.", "submission_id": "{draft_id}"},
        choices=frozenset({"submission_id"}),
    ),
    Form("/reflections/{reflection_id}/delete", "student", {}),
    Form("/profile", "student", {"interests": "Engines", "strengths": "Patience"}),
    Form(
        "/admin/counselors",
        "admin",
        {"counselor_id": "{counselor_id}", "student_id": "{other_student_id}"},
        choices=frozenset({"counselor_id", "student_id"}),
    ),
    Form("/admin/counselors/{counselor_id}/students/{student_id}/remove", "admin", {}),
    Form(
        "/account/notifications",
        "student",
        dict.fromkeys(NOTIFICATION_KINDS, "digest"),
        choices=frozenset(NOTIFICATION_KINDS),
    ),
    # Endorsements: the staff's invitation, the outside endorser's form, withdrawal.
    Form(
        "/endorsements",
        "instructor_of_class",
        {"badge_id": "{endorsement_badge_id}", "credential_id": "", "invitee": "Dana Ruiz"},
        choices=frozenset({"badge_id", "credential_id"}),
    ),
    Form(
        "/endorse/{endorse_token}",
        "anonymous",
        {
            "name": "Dana Ruiz",
            "organisation": "Riverside Garage",
            "email": "dana@garage.example",
            "url": "https://garage.example",
            "comment": "Fine work.",
            "subject": "badge",
        },
        choices=frozenset({"subject"}),
    ),
    Form("/endorsements/{badge_endorsement_id}/withdraw", "admin", {"reason": "Asked to."}),
    Form(
        "/admin/sso/providers",
        "admin",
        {
            "name": "School IdP",
            "key": "school-idp",
            "issuer": "https://idp.school.example",
            "client_id": "laurel",
            "client_secret": "a-client-secret",
            "allowed_domains": "school.test",
        },
        choices=frozenset({"key", "issuer", "allowed_domains"}),
    ),
    Form("/admin/sso/providers/{sso_key}/remove", "admin", {}),
    Form(
        "/admin/sso/passwords", "admin", {"passwords": "admins"}, choices=frozenset({"passwords"})
    ),
]


# Pathways (wt-path).
PATHWAY = {
    "name": "Security Pathway",
    "description": "A route.",
    "class_id": "{class_id}",
    "rule": "any",
    "any_count": "1",
    "badges": "{pathway_step_id}",
}
PATHWAY_CHOICES = frozenset({"class_id", "rule", "badges"})
FORMS += [
    Form("/pathways/new", "instructor_of_class", PATHWAY, choices=PATHWAY_CHOICES),
    Form("/pathways/{pathway_id}/edit", "instructor_of_class", PATHWAY, choices=PATHWAY_CHOICES),
    Form(
        "/pathways/{pathway_id}/completions/{pathway_completion_id}/confirm",
        "instructor_of_class",
        {},
    ),
    Form("/pathways/{pathway_id}/archive", "instructor_of_class", {}),
    Form("/pathways/{pathway_id}/restore", "instructor_of_class", {}),
    Form("/pathways/{pathway_id}/delete", "instructor_of_class", {}),
]

# LTI 1.3 (wt-lti): the LMS's login and launch, the deep-linking choice, the roster import,
# and the admin page.
LTI_PLATFORM = {
    "name": "Security LMS",
    "issuer": "https://lms.security.example",
    "client_id": "security-client",
    "deployment_ids": "1:security",
    "auth_login_url": "https://lms.security.example/auth",
    "auth_token_url": "https://lms.security.example/token",
    "key_set_url": "https://lms.security.example/jwks",
    "token_audience": "",
}
FORMS += [
    Form(
        "/lti/login",
        "anonymous",
        {"iss": "https://lms.unknown.example", "login_hint": "hint", "target_link_uri": "x"},
    ),
    Form("/lti/launch", "anonymous", {"id_token": "a.b.c", "state": "unknown-state"}),
    Form("/lti/deep-link", "instructor_of_class", {"badge": "x"}, choices=frozenset({"badge"})),
    Form("/lti/classes/{class_id}/roster", "instructor_of_class", {}),
    Form("/admin/lti/platforms", "admin", LTI_PLATFORM, name="/admin/lti/platforms (add)"),
    Form("/admin/lti/platforms/{lti_platform_id}", "admin", LTI_PLATFORM),
    Form("/admin/lti/platforms/{lti_platform_id}/remove", "admin", {}),
]


def text_fields() -> list[tuple[Form, str]]:
    """(form, field) for every field a person types text into."""
    return [(form, name) for form in FORMS for name in form.data if name not in form.choices]


# Wallets (wt-wallet): the learner's offer form, and the wallets' own endpoints (form-encoded
# token request, JSON elsewhere).
FORMS += [
    Form(
        "/credentials/{credential_id}/wallet",
        "student",
        {"protocol": "openid4vci", "with_pin": "y"},
        choices=frozenset({"protocol", "with_pin"}),
    ),
    Form(
        "/openid4vci/token",
        "anonymous",
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": "a-code",
            "tx_code": "123456",
        },
        choices=frozenset({"grant_type"}),
    ),
    Form("/openid4vci/nonce", "anonymous", {}),
    Form("/openid4vci/credential", "anonymous", {}),
    Form("/exchanges/{wallet_exchange_id}", "anonymous", {}),
]
