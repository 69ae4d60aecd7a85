"""Which LTI roles make an instructor or a student of the linked class (whole URIs only)."""

from __future__ import annotations

import pytest

from app.lti.roles import CourseRole
from app.lti.roles import course_role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([f"{M}#Instructor"], CourseRole.INSTRUCTOR),
        (["Instructor"], CourseRole.INSTRUCTOR),
        ([f"{M}#Learner"], CourseRole.STUDENT),
        (["Learner"], CourseRole.STUDENT),
        ([f"{M}/Learner#Learner"], CourseRole.STUDENT),
        ([f"{M}/Instructor#TeachingAssistant"], CourseRole.STUDENT),
        ([f"{M}#Instructor", f"{M}/Instructor#TeachingAssistant"], CourseRole.STUDENT),
        ([f"{M}#Instructor", f"{M}#Learner"], CourseRole.INSTRUCTOR),
        ([f"{M}#Administrator"], None),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], None),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], None),
        ([f"{M}#Mentor", f"{M}#ContentDeveloper"], None),
        (["https://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], None),
        ([f"{M}#InstructorX"], None),
        ([], None),
        ([42, None], None),
    ],
)
def test_course_role(roles, expected):
    assert course_role(roles) is expected
