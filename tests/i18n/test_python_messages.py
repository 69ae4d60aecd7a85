"""Every sentence Python flashes or raises for a person goes through the catalog.

An AST scan over app/: a `flash(...)`, or an exception whose class derives from
app.errors.LaurelError (UserError, NotFound, SendError, SsoError, BackupError …), called with
a bare string literal or f-string as its message (also inside `a if c else b` or
`"…" + x`) fails the test. The message must come from gettext/ngettext/lazy_gettext.
app/credentials and app/verify/core are pure libraries without Flask: they are not scanned.
"""

from __future__ import annotations

import ast

import pytest

from app import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
LIBRARIES = ("app/credentials/", "app/verify/core/")
ROOT_ERROR = "LaurelError"
# Answers to programs, not people: the VC API and the Open Badges backpack API speak the
# protocols' English to the developers who read their error bodies.
# (app/wallets answers wallets with OpenID4VCI's own errors, which are not LaurelErrors.)
PROGRAMS = {"app/backpack/api_views.py", "app/vcapi/views.py"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _sources() -> dict[str, ast.Module]:
    trees = {}
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(PROJECT_ROOT).as_posix()
        if not name.startswith(LIBRARIES) and name not in PROGRAMS:
            trees[name] = ast.parse(path.read_text(encoding="utf-8"), filename=name)
    return trees


def error_classes(trees: list[ast.Module]) -> set[str]:
    """The names of LaurelError and of every class in `trees` that derives from it."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {_name(base) for base in node.bases}
                bases.setdefault(node.name, set()).update(n for n in names if n)
    found = {ROOT_ERROR}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _bare(node: ast.expr) -> bool:
    """A message written out in English: a literal or f-string, also as a branch or a part."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _bare(node.left)
    return False


def bare_messages(tree: ast.Module, name: str, errors: set[str]) -> list[str]:
    """`name:line: call` for each flash or error call in `tree` whose message is bare."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        if called != "flash" and called not in errors:
            continue
        message = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg in ("message", "description"):
                message = keyword.value
        if message is not None and _bare(message):
            found.append(f"{name}:{node.lineno}: {called}({ast.unparse(message)[:80]})")
    return found


def test_python_messages_go_through_the_catalog():
    trees = _sources()
    errors = error_classes(list(trees.values()))
    found = [line for name, tree in trees.items() for line in bare_messages(tree, name, errors)]
    assert not found, "Give these messages through gettext(…):\n" + "\n".join(found)


def test_the_error_classes_are_found():
    errors = error_classes(list(_sources().values()))
    assert {"UserError", "Conflict", "NotFound", "SendError", "TokenRejected", "SsoError"} <= errors
    assert {"BackupError", "TargetNotEmpty"} <= errors
    assert "ValueError" not in errors


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('flash("Saved.", "success")', ["t:1: flash('Saved.')"]),
        ('raise UserError(f"No {x}.")', ["t:1: UserError(f'No {x}.')"]),
        (
            'raise SendError("a" if ok else gettext("b"))',
            ["t:1: SendError('a' if ok else gettext('b'))"],
        ),
        ('raise NotFound("There is no " + what)', ["t:1: NotFound('There is no ' + what)"]),
        ('raise Conflict("Taken: %s" % key)', ["t:1: Conflict('Taken: %s' % key)"]),
        ('raise UserError(message="Nope.")', ["t:1: UserError('Nope.')"]),
        ('flash(gettext("Saved."), "success")', []),
        ('raise UserError(gettext("No %(x)s.", x=x))', []),
        ('raise SendError(str(TEMPLATE) % {"x": x}, 403)', []),
        ("raise UserError(str(error))", []),
        ('raise ValueError("not for a person")', []),
        ("raise NotFound()", []),
    ],
)
def test_the_scan_finds_bare_messages(source, expected):
    errors = {"UserError", "SendError", "NotFound", "Conflict"}
    assert bare_messages(ast.parse(source), "t", errors) == expected


def test_a_class_deriving_from_laurels_errors_is_found_through_its_parents():
    tree = ast.parse(
        "class LaurelError(Exception): pass\n"
        "class UserError(LaurelError): pass\n"
        "class SendError(errors.UserError): pass\n"
        "class TokenRejected(SendError): pass\n"
        "class Other(Exception): pass\n"
    )
    assert error_classes([tree]) == {"LaurelError", "UserError", "SendError", "TokenRejected"}
