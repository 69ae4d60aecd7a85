"""Eight saves of one proposal version at once, by its student and its instructor: one wins.

Real commits, requests through the real app from separate clients in separate threads;
the losers get the 409 page, and exactly one version 2 exists.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.extensions import db
from app.proposals.models import Proposal
from app.proposals.models import ProposalVersion
from tests.fixtures.signin import sign_in
from tests.proposals.test_proposal_pages import FORM

SAVES = 8


def test_proposal_concurrent_edits_of_one_version_make_one_new_version(app, school, make_proposal):
    proposal_id = make_proposal().id
    authors = [school.student, school.instructor]
    clients = [sign_in(app.test_client(), authors[n % 2]) for n in range(SAVES)]
    db.session.remove()
    start = threading.Barrier(SAVES)

    def save(numbered):
        number, client = numbered
        start.wait()
        response = client.post(
            f"/proposals/{proposal_id}/edit",
            data={**FORM, "title": f"Wheel Builder {number}", "version": "1"},
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=SAVES) as pool:
        statuses = list(pool.map(save, enumerate(clients)))

    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 409}, statuses
    assert db.session.get(Proposal, proposal_id).version == 2
    numbers = db.session.scalars(
        sa.select(ProposalVersion.number).where(ProposalVersion.proposal_id == proposal_id)
    ).all()
    assert sorted(numbers) == [1, 2]
