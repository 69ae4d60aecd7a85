"""The "Add to LinkedIn profile" link, and the same fields for copying by hand.

LinkedIn's add-certification form can be prefilled by URL
(https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&…), but it
does not promise to keep honouring every parameter, so the page also shows each
field with a copy button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class CertificationFields:
    name: str
    organization_name: str
    issued: datetime
    expires: datetime | None
    cert_url: str
    cert_id: str

    def labelled(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order LinkedIn's form asks for them."""
        return [
            ("Name", self.name),
            ("Issuing organization", self.organization_name),
            ("Issue date", self.issued.strftime("%B %Y")),
            (
                "Expiration date",
                self.expires.strftime("%B %Y") if self.expires else "Does not expire",
            ),
            ("Credential ID", self.cert_id),
            ("Credential URL", self.cert_url),
        ]


def add_to_profile_url(fields: CertificationFields) -> str:
    """The prefilled add-certification URL."""
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": fields.name,
        "organizationName": fields.organization_name,
        "issueYear": fields.issued.year,
        "issueMonth": fields.issued.month,
    }
    if fields.expires is not None:
        params["expirationYear"] = fields.expires.year
        params["expirationMonth"] = fields.expires.month
    params["certUrl"] = fields.cert_url
    params["certId"] = fields.cert_id
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"
