"""The demo school a new user meets on first run: people, classes, badges and evidence.

`seed_demo` does nothing when any user exists, so `make run` can call it every time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.counselors import assign_counselor
from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.badges.services import AlignmentInput
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.demo_files import parts_budget_workbook
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.demo_term import seed_term
from app.endorsements import services as endorsements
from app.evidence import goals
from app.evidence import services as evidence
from app.evidence.goals import GoalInput
from app.evidence.models import Goal
from app.evidence.models import GoalKind
from app.extensions import db
from app.goals import services as learner
from app.issuing.context import IssuingContext
from app.issuing.profile import issuer_profile
from app.pathways import services as pathways
from app.proposals import services as proposals
from app.storage.files import FileStore

DEMO_PASSWORD = "maplegrove-demo"
SCHOOL_NAME = "Maple Grove High School"
DOMAIN = "maplegrove.example"
LEVELS = (
    RubricLevelInput("Developing", "Some criteria met; needs guidance to finish."),
    RubricLevelInput("Proficient", "Every criterion met, independently."),
    RubricLevelInput("Mastery", "Every criterion met, and the student can teach it to others."),
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str


@dataclass(frozen=True)
class DemoResult:
    created: bool
    logins: tuple[DemoLogin, ...] = ()
    password: str = DEMO_PASSWORD


PEOPLE = (
    (Role.ADMIN, "Alex Rivera", "admin"),
    (Role.INSTRUCTOR, "Jordan Lee", "jlee"),
    (Role.INSTRUCTOR, "Priya Natarajan", "pnatarajan"),
    (Role.STUDENT, "Sam Ortiz", "sam"),
    (Role.STUDENT, "Maya Chen", "maya"),
    (Role.STUDENT, "Leo Okafor", "leo"),
    (Role.STUDENT, "Ava Martin", "ava"),
    (Role.COUNSELOR, "Morgan Brooks", "counselor"),
)


def _badges(auto_class: SchoolClass, data_class: SchoolClass) -> list[tuple[str, BadgeInput]]:
    """(creator's email prefix, badge) for the three demo badges."""
    restoration = BadgeInput(
        name="Vehicle Restoration",
        description=(
            "Bring a worn-out vehicle back to safe, road-worthy condition: inspect it, plan "
            "the work and the budget, repair, and document every stage."
        ),
        criteria_narrative=(
            "Restore a vehicle (this year: the shop's 1978 pickup) **from inspection to final "
            "test drive**. Keep a photo log as you go, plan the budget, and explain the safety "
            "checks you made. Team projects are fine: show *your* part."
        ),
        criteria_items=(
            "Inspection report listing what was worn, broken or unsafe",
            "Photo log of each stage (before, during, after)",
            "Parts list and budget",
            "Brake system repaired and tested to specification",
            "Safety checklist signed off before the test drive",
        ),
        evidence_prompt=(
            "Show me how you like: photos of each stage, your budget workbook, a video link of "
            "the test drive, or a written log."
        ),
        accepted_kinds=("photo", "spreadsheet", "document", "video", "link", "text"),
        rubric_levels=LEVELS,
        required_level="Proficient",
        alignments=(
            AlignmentInput(
                framework="NGSS",
                code="HS-ETS1-2",
                name=(
                    "Design a solution to a complex real-world problem by "
                    "breaking it down into smaller, more manageable problems"
                ),
                url="https://www.nextgenscience.org/pe/hs-ets1-2-engineering-design",
            ),
            AlignmentInput(
                framework="NGSS",
                code="HS-ETS1-3",
                name=(
                    "Evaluate a solution to a complex real-world "
                    "problem based on prioritized criteria and trade-offs"
                ),
                url="https://www.nextgenscience.org/pe/hs-ets1-3-engineering-design",
            ),
            AlignmentInput(
                framework="Common Career Technical Core",
                code="CCTC TD",
                name="Transportation, Distribution & Logistics career cluster",
                url="https://careertech.org/what-we-do/career-technical-education/career-clusters/",
            ),
        ),
        tags=("automotive", "cte", "project"),
        achievement_type="Badge",
        class_id=auto_class.id,
    )
    plotting = BadgeInput(
        name="Data Plotting in Excel",
        description="Collect real data, plot it in a spreadsheet and explain what the plot shows.",
        criteria_narrative=(
            "Gather at least a week of measurements of something you care about, enter them "
            "in a workbook, build a chart that fits the "
            "data, and **interpret it** in your own words."
        ),
        criteria_items=(
            "Data table with clear headings and units",
            "A chart of the right type, with a title and labelled axes",
            "A formula that summarises the data (average, trend…)",
            "Two or three sentences interpreting what the chart shows",
        ),
        evidence_prompt="Upload your workbook (XLSX or CSV) and a screenshot of the chart.",
        accepted_kinds=("spreadsheet", "photo", "document", "text"),
        rubric_levels=LEVELS,
        required_level="Proficient",
        alignments=(
            AlignmentInput(
                framework="CCSS Math",
                code="CCSS.MATH.CONTENT.HSS.ID.A.1",
                name=(
                    "Represent data with plots on the real "
                    "number line (dot plots, histograms, and box plots)"
                ),
                url="https://www.thecorestandards.org/Math/Content/HSS/ID/A/1/",
            ),
            AlignmentInput(
                framework="CCSS Math",
                code="CCSS.MATH.CONTENT.HSS.ID.B.6",
                name=(
                    "Represent data on two quantitative variables on a "
                    "scatter plot, and describe how the variables are related"
                ),
                url="https://www.thecorestandards.org/Math/Content/HSS/ID/B/6/",
            ),
        ),
        tags=("math", "data", "spreadsheets"),
        achievement_type="Competency",
        class_id=data_class.id,
    )
    tutor = BadgeInput(
        name="Peer Tutor",
        description=(
            "Help classmates learn: plan sessions, explain clearly, and reflect on what worked."
        ),
        criteria_narrative=(
            "Tutor classmates for at least **six sessions** over a term, in any subject you are "
            "strong in."
        ),
        criteria_items=(
            "Log of six or more tutoring sessions (date, topic, length)",
            "A plan or material you prepared for one session",
            "Feedback from at least one tutee",
            "A reflection on how you adapted your explanations",
        ),
        evidence_prompt="Share your session log, a plan you wrote, and your tutees' feedback.",
        accepted_kinds=("document", "spreadsheet", "photo", "link", "text"),
        rubric_levels=LEVELS,
        required_level="Proficient",
        alignments=(
            AlignmentInput(
                framework="CCSS ELA-Literacy",
                code="CCSS.ELA-LITERACY.SL.9-10.1",
                name="Initiate and participate effectively in a range of collaborative discussions",
                url="https://www.thecorestandards.org/ELA-Literacy/SL/9-10/1/",
            ),
        ),
        tags=("leadership", "service"),
        achievement_type="CommunityService",
    )
    return [("jlee", restoration), ("pnatarajan", plotting), ("pnatarajan", tutor)]


def showcase_credential() -> IssuedCredential:
    """Maya's "Data Plotting in Excel": the credential the tour and the benchmarks open."""
    return db.session.scalars(
        sa.select(IssuedCredential).join(Badge).where(Badge.name == "Data Plotting in Excel")
    ).one()


def _user(role: Role, name: str, local: str) -> User:
    user = User(email=f"{local}@{DOMAIN}", name=name, role=role)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def seed_demo(
    *, ctx: IssuingContext, storage: FileStore, max_bytes: int, now: datetime
) -> DemoResult:
    """Create the demo school, unless the database already has users (then do nothing).

    Flushes only; the caller commits.
    """
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        return DemoResult(created=False)
    profile = issuer_profile(ctx.public_url)
    profile.name = SCHOOL_NAME
    profile.url = f"https://{DOMAIN}"
    profile.email = f"office@{DOMAIN}"
    profile.description = "A public high school where students earn badges for what they can show."

    people = {local: _user(role, name, local) for role, name, local in PEOPLE}
    auto_class = SchoolClass(name="Automotive Technology 1")
    data_class = SchoolClass(name="Algebra & Data 10")
    db.session.add_all([auto_class, data_class])
    db.session.flush()
    memberships = [
        (auto_class, "jlee", Role.INSTRUCTOR),
        (auto_class, "sam", Role.STUDENT),
        (auto_class, "maya", Role.STUDENT),
        (auto_class, "leo", Role.STUDENT),
        (data_class, "pnatarajan", Role.INSTRUCTOR),
        (data_class, "maya", Role.STUDENT),
        (data_class, "leo", Role.STUDENT),
        (data_class, "ava", Role.STUDENT),
    ]
    for school_class, local, role in memberships:
        db.session.add(
            ClassMembership(class_id=school_class.id, user_id=people[local].id, role=role)
        )
    db.session.flush()
    for person in people.values():
        db.session.refresh(person)

    earlier = now - timedelta(days=3)
    badges: dict[str, Badge] = {}
    for creator, data in _badges(auto_class, data_class):
        badge = create_badge(data, actor=people[creator], now=earlier)
        publish_badge(badge, actor=people[creator], now=earlier)
        badges[badge.name] = badge

    _waiting_submission(badges["Vehicle Restoration"], people["sam"], storage, max_bytes, now)
    _approved_submission(
        ctx,
        badges["Data Plotting in Excel"],
        people["maya"],
        people["pnatarajan"],
        storage,
        max_bytes,
        now,
    )
    evidence.start_goal(badges["Peer Tutor"], student=people["ava"], now=now)
    evidence.start_goal(badges["Vehicle Restoration"], student=people["leo"], now=now)
    _proposal_in_discussion(people["leo"], people["jlee"], auto_class, now)
    seed_term(
        ctx=ctx,
        people=people,
        classes={"auto": auto_class, "data": data_class},
        first_badges=badges.values(),
        now=now,
    )
    _pathway_part_way(badges, people, auto_class, now)
    _sams_goals_and_counselor(people, badges, data_class, now)
    _garage_endorsement(ctx, badges["Vehicle Restoration"], people["jlee"], now)
    db.session.flush()
    logins = tuple(DemoLogin(p.role.value, p.name, p.email) for p in people.values())
    return DemoResult(created=True, logins=logins)


def _pathway_part_way(
    badges: dict[str, Badge], people: dict[str, User], auto_class: SchoolClass, now: datetime
) -> None:
    """A pathway of two badges for the auto class: Maya holds one and pursues the other."""
    pathways.create_pathway(
        pathways.PathwayInput(
            name="Automotive Technician, Level 1",
            description=(
                "Restore a vehicle and keep its numbers: a technician who can rebuild a truck "
                "and chart its parts budget."
            ),
            class_id=auto_class.id,
            steps=[
                pathways.StepInput(badges["Data Plotting in Excel"].id),
                pathways.StepInput(badges["Vehicle Restoration"].id),
            ],
        ),
        actor=people["admin"],
        now=now,
    )
    evidence.start_goal(badges["Vehicle Restoration"], student=people["maya"], now=now)


def _garage_endorsement(ctx: IssuingContext, badge: Badge, teacher: User, now: datetime) -> None:
    """A local garage's owner endorses Vehicle Restoration, signed with a key of their own."""
    token = endorsements.create_invite(
        badge=badge, credential=None, invitee="Riverside Garage", actor=teacher, now=now
    )
    endorsement = endorsements.EndorserInput(
        name="Dana Ruiz",
        organisation="Owner, Riverside Garage",
        email="dana@riverside-garage.example",
        url="https://riverside-garage.example",
        comment=(
            "Maple Grove's restoration students have worked in our shop for three years. "
            "A student who earns this badge can strip, document and rebuild a vehicle "
            "safely, and keep a budget while doing it: we would hire them."
        ),
    )
    endorsements.endorse(token, endorsement, ctx=ctx, now=now)


def _waiting_submission(
    badge: Badge, student: User, storage: FileStore, max_bytes: int, now: datetime
) -> None:
    """Sam's truck restoration: a photo and a parts budget, waiting for Mr Lee."""
    moment = now - timedelta(hours=20)
    submission = evidence.start_submission(badge, student=student, now=moment)
    evidence.add_file(
        submission,
        student=student,
        stream=io.BytesIO(truck_photo()),
        filename="pickup-after-paint.jpg",
        storage=storage,
        max_bytes=max_bytes,
        title="The pickup after paint",
        public=True,
        now=moment,
    )
    evidence.add_file(
        submission,
        student=student,
        stream=io.BytesIO(parts_budget_workbook()),
        filename="parts-budget.xlsx",
        storage=storage,
        max_bytes=max_bytes,
        title="Parts list and budget",
        now=moment,
    )
    evidence.save_draft(
        submission,
        student=student,
        reflection=(
            "Over six weeks our team took the 1978 pickup from rusty to road-worthy. I led the "
            "brake job and kept the budget; we came in under the $350 the shop gave us."
        ),
        criteria_reflections={
            "Parts list and budget": (
                "parts-budget.xlsx: every part, quantity and cost, totalled with formulas."
            ),
            "Brake system repaired and tested to specification": (
                "I replaced the front pads and both rotors, bled the lines and measured the "
                "pedal travel against the manual."
            ),
        },
        now=moment,
    )
    evidence.submit(submission, student=student, now=moment)


def _approved_submission(
    ctx: IssuingContext,
    badge: Badge,
    student: User,
    reviewer: User,
    storage: FileStore,
    max_bytes: int,
    now: datetime,
) -> None:
    """Maya's temperature plot, approved at Proficient with its credential issued."""
    moment = now - timedelta(days=2)
    submission = evidence.start_submission(badge, student=student, now=moment)
    evidence.add_file(
        submission,
        student=student,
        stream=io.BytesIO(temperature_workbook()),
        filename="week-temperatures.xlsx",
        storage=storage,
        max_bytes=max_bytes,
        title="A week of morning temperatures",
        public=True,
        now=moment,
    )
    evidence.add_text(
        submission,
        student=student,
        title="What the chart shows",
        text=(
            "Temperatures rose through the week except "
            "for a cold Wednesday; the average was 12.7 °C."
        ),
        public=True,
        now=moment,
    )
    evidence.save_draft(
        submission,
        student=student,
        reflection=(
            "I measured the temperature outside our "
            "kitchen window at 7am for a week and plotted it."
        ),
        criteria_reflections={},
        now=moment,
    )
    evidence.submit(submission, student=student, now=moment)
    proficient = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == "Proficient")
    evidence.approve(
        submission,
        ctx=ctx,
        reviewer=reviewer,
        level_id=proficient,
        feedback="Clear table and a good interpretation.",
        now=moment + timedelta(hours=5),
    )


def _proposal_in_discussion(
    student: User, instructor: User, school_class: SchoolClass, now: datetime
) -> None:
    """Leo's proposed badge for his passion project, edited by both and still under discussion."""
    text = proposals.ProposalInput(
        title="Small Engine Rebuild",
        learning=(
            "How a four-stroke engine works, by rebuilding the lawn-mower engine from my "
            "grandfather's garage: diagnosis, measurements, ordering parts, reassembly."
        ),
        criteria=(
            "Take the engine apart, measure the worn parts against the service manual, "
            "rebuild it and get it running."
        ),
        evidence_plan="A photo log of every stage and a video of the first start.",
        standards=["https://www.nextgenscience.org/pe/hs-ets1-2-engineering-design"],
    )
    moment = now - timedelta(days=1)
    proposal = proposals.create_proposal(
        text, student=student, class_id=school_class.id, now=moment
    )
    proposals.submit_proposal(proposal, student=student, expected_version=1, now=moment)
    proposals.comment_on_proposal(
        proposal,
        actor=instructor,
        message=(
            "A great project. I tightened the criteria with the measurements we use in the "
            "shop: can you add a compression test before and after?"
        ),
        now=moment + timedelta(hours=2),
    )
    proposals.edit_proposal(
        proposal,
        replace(
            text,
            criteria=(
                "Take the engine apart, measure cylinder bore, ring gap and valve clearance "
                "against the service manual, rebuild it and get it running."
            ),
        ),
        actor=instructor,
        expected_version=1,
        now=moment + timedelta(hours=2),
    )
    proposals.edit_proposal(
        proposal,
        replace(
            text,
            criteria=(
                "Take the engine apart, measure cylinder bore, ring gap and valve clearance "
                "against the service manual, rebuild it and get it running. Compression test "
                "before and after the rebuild."
            ),
            evidence_plan=(
                "A photo log of every stage, my measurement sheet, the two compression "
                "readings and a video of the first start."
            ),
        ),
        actor=student,
        expected_version=2,
        now=moment + timedelta(hours=5),
    )
    proposals.comment_on_proposal(
        proposal,
        actor=student,
        message="Added the compression test and the measurement sheet (version 3).",
        now=moment + timedelta(hours=5),
    )


def _sams_goals_and_counselor(
    people: dict[str, User], badges: dict[str, Badge], data_class: SchoolClass, now: datetime
) -> None:
    """Sam's goals, a reflection and his profile; Dana counsels every student.

    Sam joins the data class (unless he is in it already) so that he has goals in two.
    """
    sam = people["sam"]
    if data_class.id not in {m.class_id for m in sam.memberships}:
        db.session.add(ClassMembership(class_id=data_class.id, user_id=sam.id, role=Role.STUDENT))
        db.session.flush()
        db.session.refresh(sam)
    truck = db.session.scalars(
        sa.select(Goal).where(
            Goal.student_id == sam.id, Goal.badge_id == badges["Vehicle Restoration"].id
        )
    ).one()
    goals.update_goal(
        truck,
        student=sam,
        title="Finish the truck and show the whole restoration",
        target_date=(now + timedelta(days=10)).date(),
        now=now,
    )
    plotting = badges["Data Plotting in Excel"]
    goals.create_goal(
        GoalInput(
            GoalKind.BADGE,
            "Chart the engine temperature data",
            (now + timedelta(days=45)).date(),
            badge_id=plotting.id,
        ),
        student=sam,
        now=now,
    )
    design = next(label for label in goals.standards_open_to(sam) if "HS-ETS1-2" in label)
    goals.create_goal(
        GoalInput(GoalKind.STANDARD, "Get good at breaking big jobs down", None, standard=design),
        student=sam,
        now=now,
    )
    submission = evidence.open_submission(badges["Vehicle Restoration"], sam)
    learner.write_reflection(
        student=sam,
        text=(
            "Pricing the parts took longer than the bodywork. Next time I will list every part "
            "before I start, and check two suppliers."
        ),
        submission_id=submission.id if submission else None,
        goal_id=truck.id,
        now=now,
    )
    learner.save_profile(
        student=sam,
        interests="Old trucks, welding, and drawing cars.",
        strengths="Patient with fiddly work; explains things to classmates.",
        now=now,
    )
    for local in ("sam", "maya", "leo", "ava"):
        assign_counselor(people["counselor"], people[local], now=now)
