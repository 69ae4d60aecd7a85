"""Pathways in the learner record: CLR 2.0 associations (isPartOf, precedes) and the page."""

from __future__ import annotations

from app.badges.achievement import achievement_url
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.schema import validate_credential
from tests.interop.test_official_schemas import CLR_SCHEMA
from tests.interop.test_official_schemas import _official_errors


def _clr(client, login, student):
    login(student)
    response = client.get(f"/learners/{student.id}/record.json")
    assert response.status_code == 200
    return response.get_json()


def test_clr_links_badges_to_pathway_and_validates(
    client, login, school, shop_badges, make_pathway, earn, keys_dir
):
    restoration, diagnostics, safety = shop_badges
    pathway = make_pathway(requires={1: [2]})  # Shop Safety precedes Engine Diagnostics
    for badge in (safety, diagnostics):
        earn(badge)
    clr = _clr(client, login, school.student)
    subject = clr["credentialSubject"]
    pathway_id = next(a["id"] for a in subject["achievement"])
    assert pathway_id.endswith(pathway.badge.achievement_uuid)
    [pathway_achievement] = subject["achievement"]
    assert pathway_achievement["achievementType"] == "LearningProgram"
    assert pathway_achievement["criteria"]["narrative"].startswith("Earn every badge")
    base = pathway_id.rsplit("/achievements/", 1)[0]
    ids = {b.name: achievement_url(b, base) for b in shop_badges}
    assert sorted(
        (a["associationType"], a["sourceId"], a["targetId"]) for a in subject["association"]
    ) == sorted(
        [
            ("isPartOf", ids["Shop Safety"], pathway_id),
            ("isPartOf", ids["Engine Diagnostics"], pathway_id),
            ("precedes", ids["Shop Safety"], ids["Engine Diagnostics"]),
        ]
    )
    assert all(a["type"] == "Association" for a in subject["association"])
    # Every association names achievements the record holds.
    embedded = {
        c["credentialSubject"]["achievement"]["id"] for c in subject["verifiableCredential"]
    }
    for association in subject["association"]:
        assert {association["sourceId"], association["targetId"]} <= embedded | {pathway_id}
    validate_credential(clr)
    assert _official_errors(clr, CLR_SCHEMA) == []
    verify_proof(clr, clr["proof"][0], public_key=keys_dir.store.current("ed25519").public_key)


def test_clr_with_pathway_credential_embeds_it_and_adds_no_achievement(
    client, login, school, shop_badges, make_pathway, earn
):
    pathway = make_pathway(badges=shop_badges[:1], auto_issue=True)
    earn(shop_badges[0])
    clr = _clr(client, login, school.student)
    subject = clr["credentialSubject"]
    assert "achievement" not in subject
    names = [c["credentialSubject"]["achievement"]["name"] for c in subject["verifiableCredential"]]
    assert pathway.name in names
    [association] = subject["association"]
    assert association["associationType"] == "isPartOf"
    assert _official_errors(clr, CLR_SCHEMA) == []


def test_clr_without_pathways_has_no_associations(client, login, school, shop_badges, earn):
    earn(shop_badges[0])
    subject = _clr(client, login, school.student)["credentialSubject"]
    assert "association" not in subject and "achievement" not in subject


def test_record_page_shows_pathway_structure(
    client, login, school, shop_badges, make_pathway, earn
):
    make_pathway(required_count=2)
    earn(shop_badges[0])
    login(school.student)
    page = client.get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert "By pathway" in page
    assert "Automotive Technician, Level 1" in page
    assert "any 2 of these 3 badges" in page
    assert page.count("Not yet") == 2
