"""`laurel users create` and `laurel users list`."""

from __future__ import annotations

from app.accounts import services
from app.accounts.models import Role
from app.commands.users import users_group


def test_users_create_admin_password_stdin_can_sign_in(runner, client):
    result = runner.invoke(
        users_group,
        [
            "create",
            "--admin",
            "--email",
            "Head@School.test",
            "--name",
            "Hana Head",
            "--password-stdin",
        ],
        input="a-long-admin-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin Hana Head <head@school.test>" in result.output
    response = client.post(
        "/login", data={"email": "head@school.test", "password": "a-long-admin-pass"}
    )
    assert response.status_code == 302
    assert client.get("/dashboard").location == "/admin/users"


def test_users_create_prompts_for_password_twice(runner, app_ctx):
    result = runner.invoke(
        users_group,
        ["create", "--role", "instructor", "--email", "ines@school.test", "--name", "Ines"],
        input="ines-long-pass\nines-long-pass\n",
    )
    assert result.exit_code == 0, result.output
    user = services.find_user_by_email("ines@school.test")
    assert user.role == Role.INSTRUCTOR and user.check_password("ines-long-pass")


def test_users_create_bad_email_fails_cleanly(runner, app_ctx):
    result = runner.invoke(
        users_group,
        ["create", "--email", "nope", "--name", "N", "--password-stdin"],
        input="a-long-pass-1\n",
    )
    assert result.exit_code == 1
    assert "not a valid email address" in result.output
    assert "Traceback" not in result.output
    assert services.list_users() == []


def test_users_create_short_password_refused(runner, app_ctx):
    result = runner.invoke(
        users_group,
        ["create", "--email", "a@school.test", "--name", "A", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert services.list_users() == []


def test_users_create_admin_and_other_role_is_usage_error(runner, app_ctx):
    result = runner.invoke(
        users_group,
        ["create", "--admin", "--role", "student", "--email", "a@school.test", "--name", "A"],
    )
    assert result.exit_code == 2


def test_users_list_shows_email_role_and_classes(runner, make_user, make_class):
    algebra = make_class("Algebra 2")
    make_user(Role.STUDENT, email="sam@school.test", name="Sam Student", classes=[algebra])
    make_user(Role.ADMIN, email="ada@school.test", name="Ada Admin")
    result = runner.invoke(users_group, ["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("EMAIL")
    assert lines[1].startswith("ada@school.test") and "admin" in lines[1]
    assert (
        lines[2].startswith("sam@school.test") and "student" in lines[2] and "Algebra 2" in lines[2]
    )


def test_users_list_empty_explains_first_step(runner, app_ctx):
    result = runner.invoke(users_group, ["list"])
    assert "laurel users create --admin" in result.output
