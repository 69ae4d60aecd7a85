"""The pathway progress plot: its table agrees with the pathways' own count, on the page and
in its CSV file, and follows the term and the filters."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.pathways.archive import archive_pathway
from app.pathways.progress import learner_progress
from app.progress.pathway_tables import pathway_table
from app.progress.scopes import class_scope
from tests.progress.conftest import TERM
from tests.progress.test_pages import _rows
from tests.progress.test_pages import _url

TODAY = date(2026, 11, 23)


def _scope(school, **filters):
    return class_scope(school.instructor, {**TERM, **filters}, today=TODAY)


def test_pathway_table_counts_held_badges_per_student_and_pathway(school, term_pathways, term):
    table = pathway_table(_scope(school))
    # Sam holds Brakes, Olga Engines (her Brakes was revoked); Algebra's pathway is not shown.
    assert table.rows == (
        ("Olga Other", "Either Way", 1, 1, 100, "yes"),
        ("Olga Other", "Shop Basics", 1, 2, 50, "no"),
        ("Sam Student", "Either Way", 1, 1, 100, "yes"),
        ("Sam Student", "Shop Basics", 1, 2, 50, "no"),
    )


def test_pathway_table_equals_each_learners_pathway_map(school, term_pathways, term):
    """The data behind the plot is the database's: the pathways' own progress, learner by
    learner (the term ends after every credential, so both count the same ones)."""
    basics, either, _ = term_pathways
    at = {(row[0], row[1]): row for row in pathway_table(_scope(school)).rows}
    for pathway in (either, basics):
        for student in (school.student, school.classmate):
            progress = learner_progress(pathway, student)
            row = at[(student.name, pathway.name)]
            assert (row[2], row[3], row[5]) == (
                progress.earned,
                pathway.needed,
                "yes" if progress.complete else "no",
            )


def test_pathway_table_at_an_earlier_term_end_and_by_badge(school, term_pathways, term):
    # By 20 September only Sam's Brakes (12 September) was held.
    early = pathway_table(_scope(school, to="2026-09-20"))
    assert early.column("Badges earned") == [0, 0, 1, 1]
    # The badge filter keeps the pathways that hold the badge: both hold Engines.
    by_badge = pathway_table(_scope(school, badge=str(term.engines.id)))
    assert by_badge.column("Pathway") == ["Either Way", "Shop Basics"] * 2


def test_class_without_pathways_has_an_empty_table_and_no_drawing(login, school, term):
    assert pathway_table(_scope(school)).rows == ()
    html = login(school.instructor).get(_url("/progress/class")).get_data(as_text=True)
    section = html[html.index('id="plot-pathways"') :].split("</section>")[0]
    assert "<svg" not in section


def test_class_page_draws_pathway_progress_with_its_table_and_csv(
    login, school, term_pathways, term
):
    client = login(school.instructor)
    html = client.get(_url("/progress/class")).get_data(as_text=True)
    section = html[html.index('id="plot-pathways"') :].split("</section>")[0]
    svgs = re.findall(r"<svg [^>]*>", section)
    assert len(svgs) == 2
    assert all('role="img"' in tag and 'aria-label="Pathway progress"' in tag for tag in svgs)
    assert "<caption>Pathway progress" in section and "Shop Basics" in section
    assert "/progress/class/pathways.csv?" in section
    assert "Algebra Route" not in html
    rows = _rows(client.get(_url("/progress/class/pathways.csv")))
    assert rows == [
        ["Student", "Pathway", "Badges earned", "Badges needed", "Share done (%)", "Complete"],
        ["Olga Other", "Either Way", "1", "1", "100", "yes"],
        ["Olga Other", "Shop Basics", "1", "2", "50", "no"],
        ["Sam Student", "Either Way", "1", "1", "100", "yes"],
        ["Sam Student", "Shop Basics", "1", "2", "50", "no"],
    ]


def test_archived_pathway_is_left_off_the_plot(school, term_pathways, term, now):
    _, either, _ = term_pathways
    archive_pathway(either, actor=school.instructor, now=now)
    db.session.commit()
    assert set(pathway_table(_scope(school)).column("Pathway")) == {"Shop Basics"}
