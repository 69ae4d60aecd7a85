"""Each plot's table, computed from the known term in conftest.py."""

from __future__ import annotations

from datetime import date

from app.progress.class_tables import earned_table
from app.progress.class_tables import mastery_table
from app.progress.class_tables import review_table
from app.progress.learner_tables import standards_over_time_table
from app.progress.scopes import class_scope
from app.progress.scopes import learner_scope
from tests.progress.conftest import TERM

TODAY = date(2026, 11, 23)
WEEKS = [
    "2026-09-07",
    "2026-09-14",
    "2026-09-21",
    "2026-09-28",
    "2026-10-05",
    "2026-10-12",
    "2026-10-19",
    "2026-10-26",
    "2026-11-02",
    "2026-11-09",
    "2026-11-16",
    "2026-11-23",
]


def _class(school, **filters):
    return class_scope(school.instructor, {**TERM, **filters}, today=TODAY)


def test_mastery_counts_held_badges_per_student_and_standard(school, term):
    table = mastery_table(_class(school))
    assert table.rows == (
        ("Olga Other", "ASE", "A5", "Brakes", 0, 1, 0, ""),
        ("Olga Other", "ASE", "A6", "Suspension and steering", 1, 2, 50, "Mastery"),
        ("Sam Student", "ASE", "A5", "Brakes", 1, 1, 100, "Proficient"),
        ("Sam Student", "ASE", "A6", "Suspension and steering", 1, 2, 50, "Proficient"),
    )


def test_mastery_as_of_an_earlier_term_end_leaves_later_credentials_out(school, term):
    table = mastery_table(_class(school, to="2026-09-20"))
    assert table.column("Badges earned") == [0, 0, 1, 1]


def test_mastery_filtered_by_standard_and_badge(school, term):
    by_standard = mastery_table(_class(school, standard="A6"))
    assert by_standard.column("Standard") == ["A6", "A6"]
    assert by_standard.column("Badges aligned") == [2, 2]
    by_badge = mastery_table(_class(school, badge=str(term.engines.id)))
    assert by_badge.column("Standard") == ["A6", "A6"]
    assert by_badge.column("Badges earned") == [1, 0]
    assert by_badge.column("Badges aligned") == [1, 1]


def test_earned_counts_weekly_credentials_without_revoked_ones(school, term):
    table = earned_table(_class(school))
    assert table.column("Week starting") == WEEKS
    assert table.column("Badges earned") == [1, 0, 1] + [0] * 9
    assert table.column("Earned this term so far") == [1, 1] + [2] * 10


def test_earned_term_starting_midweek_cuts_the_last_week_short(school, term):
    table = earned_table(_class(school, **{"from": "2026-09-10", "to": "2026-09-25"}))
    assert table.column("Week starting") == ["2026-09-10", "2026-09-17", "2026-09-24"]
    assert table.column("Badges earned") == [1, 0, 1]


def test_reviews_waiting_at_week_end_and_average_days_to_feedback(school, term):
    table = review_table(_class(school))
    assert table.column("Week starting") == WEEKS
    assert table.column("Waiting at the week's end") == [0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    assert table.column("Feedback given") == [1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert table.column("Average days to feedback") == [2.0, None, 2.0, None, 4.0] + [None] * 7


def test_reviews_of_other_classes_badges_are_left_out(school, term):
    table = review_table(_class(school, badge=str(term.brakes.id)))
    assert table.column("Feedback given") == [1, 0, 0, 0, 1] + [0] * 7
    assert table.column("Waiting at the week's end") == [0, 0, 0, 1] + [0] * 8


def test_learner_table_counts_own_badges_by_standard_week_by_week(school, term):
    sam = standards_over_time_table(learner_scope(school.student, TERM, today=TODAY))
    assert sam.rows[:2] == (
        ("2026-09-07", "ASE", "A5", "Brakes", 1, 1),
        ("2026-09-07", "ASE", "A6", "Suspension and steering", 1, 2),
    )
    assert len(sam.rows) == 24
    olga = standards_over_time_table(learner_scope(school.classmate, TERM, today=TODAY))
    a6 = [row[4] for row in olga.rows if row[2] == "A6"]
    assert a6 == [0, 0] + [1] * 10
    assert {row[4] for row in olga.rows if row[2] == "A5"} == {0}


def test_learner_sees_only_badges_open_to_them(school, term):
    scope = learner_scope(school.student, TERM, today=TODAY)
    assert {b.name for b in scope.badges} == {"Brakes", "Engines"}
    assert [s.key for s in scope.standards] == ["A5", "A6"]
