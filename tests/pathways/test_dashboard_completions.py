"""The teaching dashboard lists the pathway completions waiting for the instructor to confirm,
with links to the pathway's class page where the credential is confirmed."""

from __future__ import annotations

from app.pathways.completion import completion_of


def test_offered_completions_are_listed_for_their_instructors_only(
    client, login, school, shop_badges, make_pathway, earn
):
    pathway = make_pathway(badges=shop_badges[:1])
    automatic = make_pathway(badges=shop_badges[1:2], auto_issue=True)
    earn(shop_badges[0])
    earn(shop_badges[1])
    offered = completion_of(pathway, school.student)
    assert completion_of(automatic, school.student).credential_id is not None

    login(school.instructor)
    page = client.get("/dashboard/instructor").get_data(as_text=True)
    assert "Pathway completions to confirm" in page
    assert f'href="/pathways/{pathway.id}#completion-{offered.id}"' in page
    assert f'href="/pathways/{automatic.id}"' not in page  # issued already: nothing to confirm
    assert f'id="completion-{offered.id}"' in client.get(f"/pathways/{pathway.id}").get_data(
        as_text=True
    )

    login(school.other_instructor)
    assert "Pathway completions to confirm" not in client.get("/dashboard/instructor").get_data(
        as_text=True
    )

    login(school.instructor)
    assert (
        client.post(f"/pathways/{pathway.id}/completions/{offered.id}/confirm").status_code == 302
    )
    assert "Pathway completions to confirm" not in client.get("/dashboard/instructor").get_data(
        as_text=True
    )
