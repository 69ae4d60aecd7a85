"""The demo school has a term of progress to plot."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.demo import seed_demo
from app.extensions import db
from app.keyring import issuing_context
from app.progress.class_tables import earned_table
from app.progress.class_tables import mastery_table
from app.progress.class_tables import review_table
from app.progress.learner_tables import standards_over_time_table
from app.progress.scopes import class_scope
from app.progress.scopes import learner_scope


def test_demo_term_fills_every_plot(app_ctx, storage, now):
    seed_demo(ctx=issuing_context(), storage=storage, max_bytes=10**7, now=now)
    db.session.commit()
    person = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
    today = (now + timedelta(days=1)).date()

    auto = class_scope(person["jlee"], {}, today=today)
    assert auto.school_class.name == "Automotive Technology 1"
    assert [s.name for s in auto.students] == ["Leo Okafor", "Maya Chen", "Sam Ortiz"]
    assert earned_table(auto).rows[-1][-1] == 7
    weeks_with_badges = [row for row in earned_table(auto).rows if row[1]]
    assert len(weeks_with_badges) >= 5
    reviews = review_table(auto)
    assert sum(reviews.column("Feedback given")) >= 9
    assert reviews.column("Waiting at the week's end")[-1] == 1  # Sam's truck
    shares = mastery_table(auto).column("Share earned (%)")
    assert len(set(shares)) >= 3

    data = class_scope(person["pnatarajan"], {}, today=today)
    assert earned_table(data).rows[-1][-1] == 7  # six in the term, and Maya's plotting

    maya = standards_over_time_table(learner_scope(person["maya"], {}, today=today))
    last_week = maya.rows[-len({row[2] for row in maya.rows}) :]
    assert sum(int(row[4] or 0) for row in last_week) >= 6
