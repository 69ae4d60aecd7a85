"""Composing and editing pathways, and the inputs refused with a sentence and a 4xx."""

from __future__ import annotations

import pytest

from app.badges.models import BadgeState
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.pathways.services import PathwayInput
from app.pathways.services import StepInput
from app.pathways.services import update_pathway


def test_pathway_all_of_three_has_its_own_published_learning_program_badge(make_pathway):
    pathway = make_pathway()
    assert [s.badge.name for s in pathway.steps] == [
        "Vehicle Restoration",
        "Engine Diagnostics",
        "Shop Safety",
    ]
    assert pathway.required_count is None and pathway.needed == 3
    assert pathway.rule == "all 3 badges"
    badge = pathway.badge
    assert badge.name == "Automotive Technician, Level 1"
    assert badge.achievement_type == "LearningProgram"
    assert badge.state == BadgeState.PUBLISHED
    assert badge.criteria_narrative == "Earn every badge of this pathway:"
    assert badge.criteria_items == ["Vehicle Restoration", "Engine Diagnostics", "Shop Safety"]


def test_pathway_any_two_of_three(make_pathway):
    pathway = make_pathway(required_count=2)
    assert pathway.needed == 2 and pathway.rule == "any 2 of these 3 badges"
    assert pathway.badge.criteria_narrative == "Earn any 2 of these 3 badges:"


def test_pathway_any_n_equal_to_count_is_all(make_pathway):
    assert make_pathway(required_count=3).required_count is None


def test_edit_changes_badges_rule_prerequisites_and_name(school, shop_badges, make_pathway, now):
    pathway = make_pathway()
    restoration, diagnostics, safety = shop_badges
    update_pathway(
        pathway,
        PathwayInput(
            name="Automotive Technician, Level 1 (2027)",
            description="Two of them.",
            class_id=school.auto_shop.id,
            steps=[StepInput(safety.id), StepInput(diagnostics.id, (safety.id,))],
            required_count=1,
        ),
        actor=school.instructor,
        now=now,
    )
    db.session.commit()
    assert [s.badge_id for s in pathway.steps] == [safety.id, diagnostics.id]
    assert pathway.steps[1].requires == [safety.id]
    assert pathway.rule == "any 1 of these 2 badges"
    assert pathway.badge.name == "Automotive Technician, Level 1 (2027)"


def _input(school, steps, **changes):
    values = dict(
        name="Pathway",
        description="A route.",
        class_id=school.auto_shop.id,
        steps=steps,
    )
    values.update(changes)
    return PathwayInput(**values)


def test_bad_input_cycle_in_prerequisites_refused(school, shop_badges, now):
    from app.pathways.services import create_pathway

    a, b, c = shop_badges
    steps = [StepInput(a.id, (c.id,)), StepInput(b.id, (a.id,)), StepInput(c.id, (b.id,))]
    with pytest.raises(UserError, match="go round in a circle") as caught:
        create_pathway(_input(school, steps), actor=school.instructor, now=now)
    assert (
        "“Vehicle Restoration” → “Shop Safety” → “Engine Diagnostics” → “Vehicle Restoration”"
        in str(caught.value)
    )


def test_bad_input_cycle_across_two_pathways_refused(school, shop_badges, make_pathway, now):
    from app.pathways.services import create_pathway

    make_pathway(requires={1: [2]})  # Engine Diagnostics after Shop Safety
    a, diagnostics, safety = shop_badges
    steps = [StepInput(safety.id, (diagnostics.id,)), StepInput(diagnostics.id)]
    with pytest.raises(UserError, match="go round in a circle"):
        create_pathway(_input(school, steps), actor=school.instructor, now=now)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no badges", "needs at least one badge"),
        ("any 4 of 3", "“Any 4” cannot be met with 3 badges"),
        ("any 0", "“Any 0” cannot be met"),
        ("requires itself", "cannot require itself"),
        ("requires a badge outside", "is not a badge of this pathway"),
        ("unknown badge", "There is no badge number 999999"),
    ],
)
def test_bad_input_refused_with_sentence(school, shop_badges, make_badge, now, case, message):
    from app.pathways.services import create_pathway

    a, b, c = shop_badges
    steps = [StepInput(a.id), StepInput(b.id), StepInput(c.id)]
    changes: dict = {}
    if case == "no badges":
        steps = []
    elif case == "any 4 of 3":
        changes["required_count"] = 4
    elif case == "any 0":
        changes["required_count"] = 0
    elif case == "requires itself":
        steps[0] = StepInput(a.id, (a.id,))
    elif case == "requires a badge outside":
        outside = make_badge(
            school.instructor, now=now, name="Welding", class_id=school.auto_shop.id
        )
        steps[0] = StepInput(a.id, (outside.id,))
    elif case == "unknown badge":
        steps.append(StepInput(999999))
    with pytest.raises(UserError, match=message):
        create_pathway(_input(school, steps, **changes), actor=school.instructor, now=now)


def test_bad_input_other_instructors_badge_refused(school, make_badge, shop_badges, now):
    from app.pathways.services import create_pathway

    algebra_badge = make_badge(
        school.other_instructor, now=now, name="Quadratics", class_id=school.algebra.id
    )
    with pytest.raises(NotAllowed, match="another instructor’s class"):
        create_pathway(
            _input(school, [StepInput(shop_badges[0].id), StepInput(algebra_badge.id)]),
            actor=school.instructor,
            now=now,
        )


def test_bad_input_pathway_badge_as_step_refused(school, make_pathway, now):
    from app.pathways.services import create_pathway

    pathway = make_pathway()
    with pytest.raises(UserError, match="pathway’s own badge"):
        create_pathway(
            _input(school, [StepInput(pathway.badge_id)]), actor=school.instructor, now=now
        )


def test_students_cannot_compose(school, shop_badges, now):
    from app.pathways.services import create_pathway

    with pytest.raises(NotAllowed):
        create_pathway(
            _input(school, [StepInput(shop_badges[0].id)]), actor=school.student, now=now
        )


# --- The same through the web pages ---------------------------------------------------------


def _form(school, shop_badges, **changes):
    data = {
        "name": "Automotive Technician, Level 1",
        "description": "Restores, diagnoses and works safely.",
        "class_id": str(school.auto_shop.id),
        "rule": "all",
        "badges": [str(b.id) for b in shop_badges],
    }
    data.update(changes)
    return data


def test_web_new_pathway_then_edit_page(client, login, school, shop_badges):
    login(school.instructor)
    assert "Badges and prerequisites" in client.get("/pathways/new").get_data(as_text=True)
    a, b, c = shop_badges
    response = client.post(
        "/pathways/new",
        data=_form(school, shop_badges, **{f"requires-{b.id}": [str(c.id)]}),
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "The class on this pathway" in page and "Sam Student" in page
    edit = client.get(f"{location}/edit").get_data(as_text=True)
    assert 'value="Automotive Technician, Level 1"' in edit
    assert f'<option value="{c.id}" selected>' in edit
    response = client.post(
        f"{location}/edit",
        data=_form(school, shop_badges, rule="any", any_count="2", name="Level 1"),
    )
    assert response.status_code == 302
    assert "any 2 of these 3 badges" in client.get(location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("case", "changes", "status", "message"),
    [
        ("no badges", {"badges": []}, 400, "needs at least one badge"),
        ("any N larger than the count", {"rule": "any", "any_count": "5"}, 400, "cannot be met"),
        ("any without a number", {"rule": "any", "any_count": "many"}, 400, "whole number"),
        ("a badge number that is text", {"badges": ["1x"]}, 400, "is not a badge number"),
        ("no name", {"name": ""}, 400, "needs a name"),
    ],
)
def test_web_bad_input_4xx_with_message(
    client, login, school, shop_badges, case, changes, status, message
):
    login(school.instructor)
    response = client.post("/pathways/new", data=_form(school, shop_badges, **changes))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_web_cycle_4xx_with_message(client, login, school, shop_badges):
    a, b, c = shop_badges
    login(school.instructor)
    response = client.post(
        "/pathways/new",
        data=_form(
            school,
            shop_badges,
            **{f"requires-{a.id}": [str(b.id)], f"requires-{b.id}": [str(a.id)]},
        ),
    )
    assert response.status_code == 400
    assert "go round in a circle" in response.get_data(as_text=True)


def test_web_other_instructor_cannot_edit(client, login, school, make_pathway):
    pathway = make_pathway()
    login(school.other_instructor)
    assert client.get(f"/pathways/{pathway.id}/edit").status_code == 403
