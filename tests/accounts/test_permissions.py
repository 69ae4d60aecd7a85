"""Class-membership predicates used by every feature's authorization checks."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from app.accounts.models import Role
from app.accounts.permissions import class_ids_enrolled
from app.accounts.permissions import class_ids_taught


def test_class_ids_split_by_role_in_class(make_user, make_class):
    shop, algebra = make_class("Auto Shop 1"), make_class("Algebra 2")
    teacher = make_user(Role.INSTRUCTOR, classes=[shop])
    student = make_user(Role.STUDENT, classes=[shop, algebra])
    assert class_ids_taught(teacher) == {shop.id}
    assert class_ids_enrolled(teacher) == set()
    assert class_ids_enrolled(student) == {shop.id, algebra.id}
    assert class_ids_taught(student) == set()


def test_class_ids_taught_only_own_class(make_user, make_class):
    shop, algebra = make_class("Auto Shop 1"), make_class("Algebra 2")
    teacher = make_user(Role.INSTRUCTOR, classes=[shop])
    assert shop.id in class_ids_taught(teacher)
    assert algebra.id not in class_ids_taught(teacher)


def test_admin_in_class_counts_as_its_instructor(make_user, make_class):
    shop = make_class("Auto Shop 1")
    admin = make_user(Role.ADMIN, classes=[shop])
    assert class_ids_taught(admin) == {shop.id}


def test_anonymous_and_none_have_no_classes(app_ctx):
    assert class_ids_taught(None) == set()
    assert class_ids_enrolled(AnonymousUserMixin()) == set()
    assert class_ids_taught(AnonymousUserMixin()) == set()
