"""Imports every model module, so that metadata (Alembic, tests) sees all tables."""

from app.accounts import models as accounts_models  # noqa: F401
from app.backpack import models as backpack_models  # noqa: F401
from app.backpack_send import models as backpack_send_models  # noqa: F401
from app.badges import models as badges_models  # noqa: F401
from app.bulk import models as bulk_models  # noqa: F401
from app.endorsements import models as endorsements_models  # noqa: F401
from app.evidence import models as evidence_models  # noqa: F401
from app.goals import models as goals_models  # noqa: F401
from app.lti import models as lti_models  # noqa: F401
from app.notifications import models as notifications_models  # noqa: F401
from app.pathways import models as pathways_models  # noqa: F401
from app.proposals import models as proposals_models  # noqa: F401
from app.roster import models as roster_models  # noqa: F401
from app.sso import models as sso_models  # noqa: F401
from app.vcapi import models as vcapi_models  # noqa: F401
from app.verify import models as verify_models  # noqa: F401
from app.wallets import models as wallets_models  # noqa: F401
