"""What an LTI role list makes a person in the linked class: instructor, student, or nothing.

Pure module: imports neither flask nor sqlalchemy. Roles are compared as whole URIs
(LTI Core §A.2: `http://purl.imsglobal.org/vocab/lis/v2/membership#…`, or the short
context role names), never by substring: a teaching assistant arrives as
`…/membership/Instructor#TeachingAssistant`, often beside the principal `#Instructor`.

The rules, decided for a school:
* Instructor -> instructor of the class.
* TeachingAssistant (a sub-role of Instructor) -> student, even with the principal
  Instructor role beside it: approving evidence signs a credential in the school's
  name, which Laurel leaves to instructors. An admin makes a TA an instructor of the
  class by hand (Admin -> Classes) when the school wants that.
* Learner (and its sub-roles) -> student.
* Administrator (course, institution or system), Mentor, ContentDeveloper, or no
  course role -> nothing: the LMS never makes anyone a Laurel admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
LEARNER = f"{MEMBERSHIP}#Learner"
TEACHING_ASSISTANT = f"{MEMBERSHIP}/Instructor#TeachingAssistant"
# Short context role names, which LTI 1.3 still allows for context roles.
_SHORT = {"Instructor": INSTRUCTOR, "Learner": LEARNER}


class CourseRole(StrEnum):
    INSTRUCTOR = "instructor"
    STUDENT = "student"


def course_role(roles: Iterable[object]) -> CourseRole | None:
    """The person's role in the linked class, or None when Laurel has no place for them."""
    uris = {_SHORT.get(role, role) for role in roles if isinstance(role, str)}
    if TEACHING_ASSISTANT in uris:
        return CourseRole.STUDENT
    if INSTRUCTOR in uris:
        return CourseRole.INSTRUCTOR
    if LEARNER in uris or any(uri.startswith(f"{MEMBERSHIP}/Learner#") for uri in uris):
        return CourseRole.STUDENT
    return None
