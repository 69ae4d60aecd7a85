"""The progress pages: accessible plots beside their tables, CSV files, filters and access."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest

from app.extensions import db
from tests.progress.conftest import TERM

CLASS_PAGE = "/progress/class"
MINE = "/progress/mine"


def _url(path: str, **filters: str) -> str:
    return f"{path}?{urlencode({**TERM, **filters})}"


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- The page ----------------------------------------------------------------------------------


def test_class_page_shows_each_plot_as_accessible_svg_with_table_and_csv_link(login, school, term):
    page = login(school.instructor).get(_url(CLASS_PAGE, **{"class": str(school.auto_shop.id)}))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for slug, title in (
        ("mastery", "Mastery by standard"),
        ("earned", "Badges earned over the term"),
        ("reviews", "Submissions waiting and time to feedback"),
    ):
        section = html[html.index(f'id="plot-{slug}"') :]
        svgs = re.findall(r"<svg [^>]*>", section.split("</section>")[0])
        assert len(svgs) == 2, slug
        for tag in svgs:
            assert 'role="img"' in tag and f'aria-label="{title}"' in tag
            assert "width=" not in tag.split("viewBox")[0]
        assert f"<title>{title}</title>" in section and "<desc>" in section
        assert f"/progress/class/{slug}.csv?" in section
        assert "<caption>" + title in section
    # The page's CSP allows no inline style, so the drawings carry none.
    assert " style=" not in html and "<style" not in html and "<!--" not in html
    assert "Olga Other" in html and "Suspension and steering" in html


def test_class_page_speaks_spanish_and_its_csv_keeps_english_headers(login, school, term):
    """Titles, sentences, axes and table headers follow the reader; the CSV is data."""
    school.instructor.language = "es"
    db.session.commit()
    client = login(school.instructor)
    html = client.get(_url(CLASS_PAGE, **{"class": str(school.auto_shop.id)})).get_data(
        as_text=True
    )
    for spanish in (
        "Dominio por estándar",
        "Insignias obtenidas durante el periodo",
        "Envíos en espera y tiempo hasta los comentarios",
        "Un mapa de calor de estudiantes por estándares",
        '<th scope="col">Estudiante</th>',
        '<th scope="col">Parte obtenida (%)</th>',
        "Semana del",
    ):
        assert spanish in html, spanish
    for english in ("Mastery by standard", "A heat map", '<th scope="col">Student</th>'):
        assert english not in html, english
    rows = _rows(client.get(_url("/progress/class/mastery.csv")))
    assert rows[0][:3] == ["Student", "Framework", "Standard"]


def test_svg_ids_are_unique_on_the_page(login, school, term):
    html = login(school.instructor).get(_url(CLASS_PAGE)).get_data(as_text=True)
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r'href="#([^"]+)"', html):
        assert reference in ids


def test_learner_page_shows_own_plot(login, school, term):
    page = login(school.student).get(_url(MINE))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'aria-label="Your progress by standard"' in html
    assert "/progress/mine/standards.csv?" in html


def test_names_are_escaped_in_the_page_and_its_drawings(login, school, term):
    school.classmate.name = '<script>alert("x")</script>'
    db.session.commit()
    html = login(school.instructor).get(_url(CLASS_PAGE)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_instructor_without_a_class_gets_an_empty_page(login, make_user, school):
    from app.accounts.models import Role

    loner = make_user(Role.INSTRUCTOR)
    page = login(loner).get(CLASS_PAGE)
    assert page.status_code == 200
    assert "You do not teach a class yet" in page.get_data(as_text=True)
    assert login(loner).get("/progress/class/mastery.csv").status_code == 404


def test_empty_class_says_nothing_to_plot(login, school, make_class, make_user):
    from app.accounts.models import Role

    teacher = make_user(Role.INSTRUCTOR)
    make_class("Empty 1", instructors=[teacher])
    html = login(teacher).get(CLASS_PAGE).get_data(as_text=True)
    assert "Nothing to plot for these filters." in html


# --- CSV ---------------------------------------------------------------------------------------


def test_mastery_csv_holds_the_table(login, school, term):
    rows = _rows(login(school.instructor).get(_url("/progress/class/mastery.csv")))
    assert rows[0][:3] == ["Student", "Framework", "Standard"]
    assert rows[1:] == [
        ["Olga Other", "ASE", "A5", "Brakes", "0", "1", "0", ""],
        ["Olga Other", "ASE", "A6", "Suspension and steering", "1", "2", "50", "Mastery"],
        ["Sam Student", "ASE", "A5", "Brakes", "1", "1", "100", "Proficient"],
        ["Sam Student", "ASE", "A6", "Suspension and steering", "1", "2", "50", "Proficient"],
    ]


def test_reviews_and_earned_csv_and_filename(login, school, term):
    client = login(school.instructor)
    response = client.get(_url("/progress/class/reviews.csv"))
    rows = _rows(response)
    assert rows[1] == ["2026-09-07", "0", "1", "2.0"]
    assert rows[2] == ["2026-09-14", "1", "0", ""]
    assert (
        'filename="laurel-reviews-2026-09-07-2026-11-29.csv"'
        in response.headers["Content-Disposition"]
    )
    earned = _rows(client.get(_url("/progress/class/earned.csv")))
    assert [r[1] for r in earned[1:4]] == ["1", "0", "1"]


def test_learner_csv_is_own_data_only(login, school, term):
    sam = _rows(login(school.student).get(_url("/progress/mine/standards.csv")))
    olga = _rows(login(school.classmate).get(_url("/progress/mine/standards.csv")))
    assert sam[1] == ["2026-09-07", "ASE", "A5", "Brakes", "1", "1"]
    assert olga[1] == ["2026-09-07", "ASE", "A5", "Brakes", "0", "1"]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
)
def test_csv_cells_that_look_like_formulas_stay_text(login, school, term, name):
    school.classmate.name = name
    db.session.commit()
    rows = _rows(login(school.instructor).get(_url("/progress/class/mastery.csv")))
    names = {row[0] for row in rows[1:]}
    assert "'" + name in names
    assert not any(cell and cell[0] in "=+-@" for row in rows for cell in row)


def test_formula_like_standard_in_csv_stays_text(login, school, make_badge, term):
    from app.badges.services import AlignmentInput

    make_badge(
        school.instructor,
        name="Sneaky",
        class_id=school.auto_shop.id,
        alignments=[AlignmentInput(name="=cmd|' /C calc'!A0", url="https://x.example/s")],
    )
    rows = _rows(login(school.instructor).get(_url("/progress/class/mastery.csv")))
    assert "'=cmd|' /C calc'!A0" in {row[2] for row in rows[1:]}


# --- Filters -----------------------------------------------------------------------------------

BAD_FILTERS = [
    ({"class": "abc"}, "“class” must be the number"),
    ({"class": "0"}, "“class” must be the number"),
    ({"class": "-3"}, "“class” must be the number"),
    ({"class": "99999999999"}, "“class” must be the number"),
    ({"class": "²"}, "“class” must be the number"),
    ({"class": "999999"}, "There is no class number 999999"),
    ({"from": "2026-13-01"}, "not a date of the calendar"),
    ({"from": "2026-02-30"}, "not a date of the calendar"),
    ({"from": "20260901"}, "written like 2026-09-01"),
    ({"from": "2026-W36-1"}, "written like 2026-09-01"),
    ({"to": "yesterday"}, "written like 2026-09-01"),
    ({"from": "1999-12-31"}, "between 2000 and 2100"),
    ({"to": "9999-12-31"}, "between 2000 and 2100"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "on or before the day it ends"),
    ({"from": "2025-01-01", "to": "2026-06-01"}, "at most a year"),
    ({"badge": "x1"}, "“badge” must be the number"),
    ({"badge": "999999"}, "not one of the badges you can choose"),
    ({"standard": "NOPE"}, "aligns to the standard “NOPE”"),
    ({"standard": "M" * 400}, "too long"),
]


@pytest.mark.parametrize("path", [CLASS_PAGE, "/progress/class/mastery.csv"])
@pytest.mark.parametrize(("filters", "message"), BAD_FILTERS)
def test_bad_class_filters_answer_400_with_a_message(
    login, school, term_badges, path, filters, message
):
    response = login(school.instructor).get(_url(path, **filters))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_badge_and_standard_of_another_class_are_bad_filters(login, school, term_badges):
    client = login(school.instructor)
    other_badge = client.get(_url(CLASS_PAGE, badge=str(term_badges.algebra_badge.id)))
    assert other_badge.status_code == 400
    assert client.get(_url(CLASS_PAGE, standard="M1")).status_code == 400


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"class": "abc"}, "“class” must be the number"),
        ({"from": "2026-02-30"}, "not a date of the calendar"),
        ({"standard": "M1"}, "aligns to the standard “M1”"),
    ],
)
def test_bad_learner_filters_answer_400(login, school, term_badges, filters, message):
    response = login(school.student).get(_url(MINE, **filters))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_filter_form_keeps_the_choices(login, school, term):
    html = (
        login(school.instructor)
        .get(_url(CLASS_PAGE, badge=str(term.engines.id), standard="A6"))
        .get_data(as_text=True)
    )
    assert f'<option value="{term.engines.id}" selected>Engines</option>' in html
    assert 'value="A6" selected' in html
    assert 'value="2026-09-07"' in html


def test_default_term_is_the_last_twelve_weeks(login, school, term):
    from datetime import timedelta

    from app.models_base import utcnow

    html = login(school.instructor).get(CLASS_PAGE).get_data(as_text=True)
    today = utcnow().date()
    assert f'name="from" value="{(today - timedelta(days=83)).isoformat()}"' in html
    assert f'name="to" value="{today.isoformat()}"' in html
    earned = html[html.index('id="plot-earned"') :].split("</section>")[0]
    assert earned.count("<tr><td>") == 12


# --- Who sees what -----------------------------------------------------------------------------


def test_instructor_sees_only_classes_taught(login, school, term):
    client = login(school.other_instructor)
    mine = client.get(_url(CLASS_PAGE)).get_data(as_text=True)
    assert "Algebra 2" in mine and "Olga Other" not in mine
    for path in (CLASS_PAGE, "/progress/class/mastery.csv"):
        response = client.get(_url(path, **{"class": str(school.auto_shop.id)}))
        assert response.status_code == 403


def test_admin_sees_any_class(login, school, term):
    response = login(school.admin).get(
        _url("/progress/class/mastery.csv", **{"class": str(school.auto_shop.id)})
    )
    assert len(_rows(response)) == 5


def test_student_page_never_shows_another_students_progress(login, school, term):
    html = login(school.classmate).get(_url(MINE)).get_data(as_text=True)
    assert "Sam Student" not in html
    assert "Olga Other" in html


def test_student_cannot_pick_a_class_they_are_not_in(login, school, term):
    response = login(school.student).get(_url(MINE, **{"class": str(school.algebra.id)}))
    assert response.status_code == 403


@pytest.mark.parametrize("path", [CLASS_PAGE, "/progress/class/mastery.csv"])
def test_students_cannot_open_class_progress(login, school, term, path):
    assert login(school.student).get(_url(path)).status_code == 403


@pytest.mark.parametrize("path", [MINE, "/progress/mine/standards.csv"])
def test_staff_have_no_learner_progress_page(login, school, term, path):
    assert login(school.instructor).get(_url(path)).status_code == 403


def test_unknown_plot_is_404(login, school, term):
    assert login(school.instructor).get("/progress/class/nope.csv").status_code == 404
    assert login(school.student).get("/progress/mine/nope.csv").status_code == 404


def test_personal_badge_is_a_choice_for_its_student_only(login, school, make_badge, term):
    badge = make_badge(school.instructor, name="Olga's Project", class_id=school.auto_shop.id)
    badge.personal_for_id = school.classmate.id
    db.session.commit()
    assert login(school.student).get(_url(MINE, badge=str(badge.id))).status_code == 400
    assert login(school.classmate).get(_url(MINE, badge=str(badge.id))).status_code == 200
    # Nor is it one of the class's badges on the instructor's page.
    assert login(school.instructor).get(_url(CLASS_PAGE, badge=str(badge.id))).status_code == 400
