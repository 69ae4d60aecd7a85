"""The four scopes of the Open Badges 3.0 API, spelled exactly as the specification names them."""

from __future__ import annotations

_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = _PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = _PREFIX + "credential.upsert"
PROFILE_READONLY = _PREFIX + "profile.readonly"
PROFILE_UPDATE = _PREFIX + "profile.update"

# Scope -> what the consent page tells the student the application may do.
SCOPES = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: (
        "Permission to create or update AchievementCredentials for the authenticated entity."
    ),
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}
# The same, in the words a student reads on the consent page.
PLAIN_WORDS = {
    CREDENTIAL_READONLY: (
        "read your badges: the ones this school issued you and the ones you keep here"
    ),
    CREDENTIAL_UPSERT: "store badges from other issuers here (each is checked when it arrives)",
    PROFILE_READONLY: "read your profile: your name and your learner id",
    PROFILE_UPDATE: "change the name on your profile",
}

# The VC-API's scopes, granted to API clients (client credentials), never to backpack apps.
VC_ISSUE = "vc:issue"
VC_STATUS = "vc:status"
API_SCOPES = {
    VC_ISSUE: "Issue credentials with POST /credentials/issue.",
    VC_STATUS: (
        "Revoke or suspend the school's badge credentials, and those this client issued, "
        "with POST /credentials/status."
    ),
}
