"""Pages of student-proposed badges: the list, the proposal, its versions, and decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required

from app.accounts.models import Role
from app.accounts.permissions import role_required
from app.badges.standards import alignment_label
from app.errors import LaurelError
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.models_base import utcnow
from app.proposals import services
from app.proposals.diff import FieldDiff
from app.proposals.diff import diff_text
from app.proposals.forms import CommentForm
from app.proposals.forms import DecisionForm
from app.proposals.forms import NewProposalForm
from app.proposals.forms import ProposalForm
from app.proposals.forms import StepForm
from app.proposals.models import Proposal
from app.proposals.models import ProposalVersion

bp = Blueprint("proposals", __name__)

MAX_ID = 2**31 - 1
PROPOSAL = f"/proposals/<int(max={MAX_ID}):proposal_id>"
TEXT_FIELDS = (
    ("title", "Badge title"),
    ("learning", "What you will learn"),
    ("criteria", "Proposed criteria"),
    ("evidence_plan", "Evidence you plan to bring"),
)


def get_proposal_or_404(proposal_id: int, *, need: str = "view") -> Proposal:
    """The proposal if the current user may `view` it, `write` it (its student) or `review` it.

    Anyone else gets 404, so ids do not reveal other students' proposals.
    """
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposal.can_view(current_user):
        raise NotFound(gettext("There is no such proposal."))
    if need == "write" and not proposal.is_owned_by(current_user):
        raise NotAllowed(gettext("Only the student who wrote this proposal can do that."))
    if need == "review" and not proposal.can_review(current_user):
        raise NotAllowed(gettext("Only the instructors of the proposal's class decide on it."))
    return proposal


def _version_number(form: Any) -> int:
    """The version a form was loaded at (0 when missing or garbled: surely stale)."""
    try:
        return int(form.version.data or "0")
    except ValueError:
        return 0


def _standard_choices(form: ProposalForm, chosen: list[dict[str, Any]]) -> None:
    """The school's standards as checkboxes, plus any the proposal names that are gone since."""
    known = services.known_standards()
    for standard in chosen:
        known.setdefault(standard["url"], standard)
    form.standards.choices = [(url, alignment_label(s)) for url, s in known.items()]


def _input(form: ProposalForm) -> services.ProposalInput:
    return services.ProposalInput(
        title=form.title.data or "",
        learning=form.learning.data or "",
        criteria=form.criteria.data or "",
        evidence_plan=form.evidence_plan.data or "",
        standards=form.standards.data or [],
    )


def _failed(error: LaurelError) -> int:
    db.session.rollback()
    flash(str(error), "error")
    return error.status_code


# --- The list and a new proposal ---------------------------------------------------------------


@bp.get("/proposals")
@login_required
def index():
    """A student's proposals; for instructors, the proposals of the classes they teach."""
    return render_template(
        "proposals/index.html",
        proposals=services.proposals_for(current_user),
        state_phrase=services.state_phrase,
    )


@bp.route("/proposals/new", methods=["GET", "POST"])
@role_required(Role.STUDENT)
def new():
    """Write a proposal: save it as a draft, or send it to the class's instructors at once."""
    classes = services.classes_of_student(current_user)
    form = NewProposalForm(classes=classes)
    _standard_choices(form, [])
    if request.method == "POST":
        if not form.validate():
            return _render_new(form, classes, 400)
        try:
            proposal = services.create_proposal(
                _input(form), student=current_user, class_id=form.class_id.data, now=utcnow()
            )
            if form.action.data == "submit":
                services.submit_proposal(
                    proposal, student=current_user, expected_version=1, now=utcnow()
                )
        except LaurelError as error:
            return _render_new(form, classes, _failed(error))
        db.session.commit()
        flash(
            gettext("Your proposal is sent to your instructors.")
            if form.action.data == "submit"
            else gettext("Your proposal is saved as a draft. Send it when it is ready."),
            "success",
        )
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _render_new(form, classes)


def _render_new(form: NewProposalForm, classes: list, status: int = 200):
    return render_template("proposals/new.html", form=form, classes=classes), status


# --- One proposal ------------------------------------------------------------------------------


def _render_detail(proposal: Proposal, status: int = 200, **forms: Any):
    version = StepForm(data={"version": str(proposal.version)})
    decision = forms.pop("decision_form", None) or DecisionForm(
        data={"version": str(proposal.version)}
    )
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        current=proposal.current,
        state_phrase=services.state_phrase,
        step_form=version,
        decision_form=decision,
        comment_form=forms.pop("comment_form", None) or CommentForm(prefix="comment"),
        can_review=proposal.can_review(current_user),
        is_author=proposal.is_owned_by(current_user),
    ), status


@bp.get(PROPOSAL)
@login_required
def detail(proposal_id: int):
    """The proposal as it stands, its versions, the discussion and the actions allowed now."""
    return _render_detail(get_proposal_or_404(proposal_id))


def _edit_form(proposal: Proposal) -> ProposalForm:
    if request.method == "POST":
        form = ProposalForm()
    else:
        text = proposal.current
        form = ProposalForm(
            data={
                "title": text.title,
                "learning": text.learning,
                "criteria": text.criteria,
                "evidence_plan": text.evidence_plan,
                "standards": [s["url"] for s in text.standards],
                "version": str(proposal.version),
            }
        )
    _standard_choices(form, proposal.current.standards)
    return form


def _render_edit(proposal: Proposal, form: ProposalForm, status: int = 200, stale: bool = False):
    return render_template(
        "proposals/edit.html",
        proposal=proposal,
        current=proposal.current,
        form=form,
        stale=stale,
        standard_label=alignment_label,
    ), status


@bp.route(f"{PROPOSAL}/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    """Write a new version; a form loaded at an older version is a 409 that keeps the text."""
    proposal = get_proposal_or_404(proposal_id)
    form = _edit_form(proposal)
    if request.method == "GET":
        if not proposal.is_open:
            raise UserError(
                gettext(
                    ("This proposal is %(state_phrase)s: it can no longer be edited."),
                    state_phrase=services.state_phrase(proposal.state),
                )
            )
        return _render_edit(proposal, form)
    if not form.validate():
        return _render_edit(proposal, form, 400)
    try:
        version = services.edit_proposal(
            proposal,
            _input(form),
            actor=current_user,
            expected_version=_version_number(form),
            now=utcnow(),
        )
    except LaurelError as error:
        status = _failed(error)
        proposal = get_proposal_or_404(proposal_id)
        stale = status == 409
        if stale:
            # Saving again from this page knowingly makes their text the newest version.
            form.version.data = str(proposal.version)
        return _render_edit(proposal, form, status, stale=stale)
    db.session.commit()
    if version is None:
        flash(gettext("Nothing changed, so no new version was saved."), "info")
    else:
        flash(gettext("Saved as version %(number)s.", number=version.number), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


def version_diff(before: ProposalVersion, after: ProposalVersion) -> list[FieldDiff]:
    """Each field of two versions, side by side, the standards as one line each."""
    fields = [
        diff_text(label, getattr(before, name), getattr(after, name)) for name, label in TEXT_FIELDS
    ]
    fields.append(
        diff_text(
            "Standards it meets",
            "\n".join(alignment_label(s) for s in before.standards),
            "\n".join(alignment_label(s) for s in after.standards),
        )
    )
    return fields


def _number_argument(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit() or len(value) > 9:
        raise UserError(gettext("“%(name)s” must be a version number.", name=name))
    return int(value)


@bp.get(f"{PROPOSAL}/compare")
@login_required
def compare(proposal_id: int):
    """Two versions side by side (by default the newest and the one before it)."""
    proposal = get_proposal_or_404(proposal_id)
    newer = _number_argument("to", proposal.version)
    older = _number_argument("from", max(newer - 1, 1))
    before = services.version_of(proposal, older)
    after = services.version_of(proposal, newer)
    return render_template(
        "proposals/compare.html",
        proposal=proposal,
        before=before,
        after=after,
        fields=version_diff(before, after),
    )


# --- Steps and decisions --------------------------------------------------------------------------


def _step(proposal_id: int, step, message: str):
    proposal = get_proposal_or_404(proposal_id, need="write")
    form = StepForm()
    if not form.validate():
        raise UserError(gettext("The form expired; reload the page and try again."))
    try:
        step(
            proposal,
            student=current_user,
            expected_version=_version_number(form),
            now=utcnow(),
        )
    except LaurelError as error:
        return _render_detail(get_proposal_or_404(proposal_id), _failed(error))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.post(f"{PROPOSAL}/submit")
@login_required
def submit(proposal_id: int):
    """The student sends the proposal (or its changes) to the class's instructors."""
    return _step(
        proposal_id, services.submit_proposal, "Your proposal is sent to your instructors."
    )


@bp.post(f"{PROPOSAL}/withdraw")
@login_required
def withdraw(proposal_id: int):
    """The student withdraws the proposal."""
    return _step(proposal_id, services.withdraw_proposal, "Your proposal is withdrawn.")


@bp.post(f"{PROPOSAL}/comments")
@login_required
def add_comment(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    form = CommentForm(prefix="comment")
    if not form.validate():
        return _render_detail(proposal, 400, comment_form=form)
    try:
        services.comment_on_proposal(
            proposal, actor=current_user, message=form.message.data or "", now=utcnow()
        )
    except LaurelError as error:
        status = _failed(error)
        return _render_detail(get_proposal_or_404(proposal_id), status, comment_form=form)
    db.session.commit()
    flash(gettext("Comment added."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="discussion"))


DECIDED = {
    services.Decision.APPROVE_PERSONAL: (
        "Approved: “{title}” is now a personal badge for {student}."
    ),
    services.Decision.APPROVE_CLASS: "Approved: “{title}” is now published for {class_name}.",
    services.Decision.CHANGES: "Sent back to {student} with your request for changes.",
    services.Decision.DECLINE: "The proposal is declined.",
}


@bp.post(f"{PROPOSAL}/decide")
@login_required
def decide(proposal_id: int):
    """A reviewer approves (personal or class badge), asks for changes, or declines."""
    proposal = get_proposal_or_404(proposal_id, need="review")
    form = DecisionForm()
    if not form.validate():
        return _render_detail(proposal, 400, decision_form=form)
    decision = form.decision.data or ""
    try:
        badge = services.decide_on_proposal(
            proposal,
            reviewer=current_user,
            decision=decision,
            message=form.message.data or "",
            expected_version=_version_number(form),
            now=utcnow(),
        )
    except LaurelError as error:
        status = _failed(error)
        return _render_detail(get_proposal_or_404(proposal_id), status, decision_form=form)
    db.session.commit()
    flash(
        DECIDED[decision].format(
            title=proposal.current.title,
            student=proposal.student.name,
            class_name=proposal.school_class.name if proposal.school_class else "the class",
        ),
        "success",
    )
    if badge is not None:
        return redirect(url_for("badges.detail", slug=badge.slug))
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))
