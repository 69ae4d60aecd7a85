"""The issuer and its keys: find the key a proof names and check that it speaks for the issuer.

Pure module. A key counts only when its publisher ties it to the issuer the
credential names (the DID document's controller, or the issuer's own HTTPS
origin); a key found in a PDF's attached copy is not linked to the domain, so
it leaves the check "could not check" rather than passed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.credentials.errors import KeyResolutionError
from app.credentials.words import N_
from app.credentials.words import text_of

from .fetching import FetchError
from .fields import text
from .report import Outcome
from .resolvers import ResolvedKey
from .run import Run
from .trust import UNKNOWN_ISSUER
from .trust import IssuerIdentity
from .trust import IssuerKind
from .trust import trusted_entry


def establish_identity(run: Run) -> IssuerIdentity:
    """Who the issuer is, from the key that speaks for it, never from the name it gives itself.

    The key check has tied every key to `run.issuer_id`, so the issuer id is what a
    valid signature establishes: this school's own DID, an entry of the trust list,
    or the domain of a did:web / HTTPS issuer whose key was fetched from that domain.
    A did:key (or any other) issuer off the trust list is unknown.
    """
    issuer = run.credential.get("issuer")
    asserted = text(issuer.get("name")) if isinstance(issuer, dict) else None
    issuer_id = run.issuer_id
    if issuer_id is None:
        return IssuerIdentity(IssuerKind.UNKNOWN, UNKNOWN_ISSUER, asserted)
    if run.is_own:
        return IssuerIdentity(IssuerKind.OWN, asserted or N_("this school"), asserted)
    is_domain = issuer_id.startswith(("did:web:", "https://"))
    domain = domain_of(issuer_id) if is_domain else None
    entry = trusted_entry(run.trusted, issuer_id, domain)
    if entry is not None:
        return IssuerIdentity(IssuerKind.TRUSTED, entry.name, asserted)
    if domain is not None:
        return IssuerIdentity(IssuerKind.DOMAIN, domain, asserted)
    return IssuerIdentity(IssuerKind.UNKNOWN, UNKNOWN_ISSUER, asserted)


def resolve_key(run: Run, method: str, *, others: bool = False) -> ResolvedKey | None:
    """Find the key of `method` and record the "key" check, including the controller test.

    :param others: the proof may be another party's (a proof set or chain beside the
        issuer's own proof): a key that is not the issuer's is then accepted as its
        controller's, and `check_proofs` requires one proof by the issuer.
    """
    network_problem: str | None = None
    key: ResolvedKey | None = None
    try:
        key = run.resolver.resolve(method)
    except FetchError as error:
        network_problem = text_of(error)
    except KeyResolutionError as error:
        run.add("key", Outcome.FAILED, text_of(error))
        return None
    if key is None:
        try:
            key = run.attached.resolve(method)
        except KeyResolutionError as error:
            run.add("key", Outcome.FAILED, text_of(error))
            return None
    if key is None:
        if network_problem is not None:
            message = N_(
                "Laurel could not fetch the issuer's key %(method)s: %(problem)s",
                method=method,
                problem=network_problem,
            )
        elif run.fetcher is None:
            message = N_(
                "Laurel is working offline and cannot look up the key %(method)s.", method=method
            )
        else:
            message = N_("Laurel does not know how to look up the key %(method)s.", method=method)
        run.add("key", Outcome.UNKNOWN, message)
        return None
    if others and run.issuer_id is not None and controller_of(key, run.issuer_id) != run.issuer_id:
        run.add(
            "key",
            Outcome.PASSED,
            N_(
                "The key %(method)s belongs to %(controller)s, which added its own proof beside "
                "the issuer's.",
                method=method,
                controller=controller_of(key, run.issuer_id) or N_("another party"),
            ),
        )
        return key
    _check_controller(run, key, network_problem)
    return key


def controller_of(key: ResolvedKey, issuer_id: str | None) -> str | None:
    """Who controls a key: its publisher's word, or the issuer for a key on its HTTPS origin."""
    if key.controller is None and _same_origin(key.verification_method, issuer_id):
        return issuer_id
    return key.controller


def _check_controller(run: Run, key: ResolvedKey, network_problem: str | None) -> None:
    issuer_id = run.issuer_id
    if issuer_id is None:
        run.add(
            "key",
            Outcome.FAILED,
            N_("The credential does not name its issuer, so no key can speak for it."),
        )
        return
    controller = controller_of(key, issuer_id)
    if controller is None:
        run.add(
            "key",
            Outcome.FAILED,
            N_(
                "Nothing ties the key %(method)s to the issuer %(issuer)s.",
                method=key.verification_method,
                issuer=issuer_id,
            ),
        )
    elif controller != issuer_id:
        run.add(
            "key",
            Outcome.FAILED,
            N_(
                "The key belongs to %(controller)s, not to the issuer %(issuer)s.",
                controller=controller,
                issuer=issuer_id,
            ),
        )
    elif not key.linked:
        unchecked = (
            N_(
                "The signing key comes from %(source)s. Laurel could not check online that this "
                "key belongs to %(domain)s (%(problem)s).",
                source=key.source,
                domain=domain_of(issuer_id),
                problem=network_problem,
            )
            if network_problem
            else N_(
                "The signing key comes from %(source)s. Laurel could not check online that this "
                "key belongs to %(domain)s.",
                source=key.source,
                domain=domain_of(issuer_id),
            )
        )
        run.add("key", Outcome.UNKNOWN, unchecked)
    else:
        run.add(
            "key",
            Outcome.PASSED,
            N_("The key belongs to the issuer (%(source)s).", source=key.source),
        )


def _same_origin(method: str, issuer_id: str | None) -> bool:
    """An HTTPS key served from the issuer's own HTTPS origin is the issuer's."""
    if not issuer_id or not issuer_id.startswith("https://") or not method.startswith("https://"):
        return False
    return urlsplit(method).netloc == urlsplit(issuer_id).netloc


def domain_of(issuer_id: str | None) -> str:
    """The domain behind a did:web or HTTPS issuer id (the id itself otherwise)."""
    if issuer_id and issuer_id.startswith("did:web:"):
        return issuer_id.split(":")[2].replace("%3A", ":")
    if issuer_id and issuer_id.startswith("https://"):
        return urlsplit(issuer_id).netloc
    return issuer_id or "the issuer"
