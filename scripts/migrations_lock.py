"""Released migrations never change: migrations/versions/CHECKSUMS holds the sha256 of each.

    python scripts/migrations_lock.py          add the checksums of NEW revision files
    python scripts/migrations_lock.py --check  exit 1 when a file differs from its line or has none

A database upgraded at an earlier release has run the revision as it was then;
editing the file afterwards changes nothing there, so the two schemas drift apart
without a word. A schema change is therefore always a new revision. The lock only
ever appends (`sha256sum -c CHECKSUMS` in that folder checks it as well); an edited
file is refused, never re-locked.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
LOCK_NAME = "CHECKSUMS"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(lock: Path) -> dict[str, str]:
    """{file name: sha256} from lines written as `sha256sum` writes them."""
    if not lock.exists():
        return {}
    entries = {}
    for number, line in enumerate(lock.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise SystemExit(f"{lock}:{number}: expected '<sha256>  <file name>', got {line!r}")
        entries[name] = digest
    return entries


def problems(versions: Path) -> tuple[list[str], list[str]]:
    """(edited released revisions, revision files with no checksum yet)."""
    locked = read_lock(versions / LOCK_NAME)
    files = {path.name: path for path in sorted(versions.glob("*.py"))}
    edited = [
        f"{name}: {'deleted' if name not in files else 'edited'} after its release"
        for name, digest in locked.items()
        if name not in files or file_digest(files[name]) != digest
    ]
    new = [name for name in files if name not in locked]
    return edited, new


EDITED_ADVICE = (
    "A released revision never changes: databases upgraded with it would silently differ "
    "from new ones. Restore the file (git checkout main -- migrations/versions/FILE) and put "
    "the change in a NEW revision (laurel db migrate -m '...'), then run `make migrations-lock`."
)
NEW_ADVICE = (
    "If these are new revisions, add their checksums with `make migrations-lock` "
    "(it appends their lines and never rewrites the others) and commit CHECKSUMS with them."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, change nothing")
    parser.add_argument("--versions", type=Path, default=VERSIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    edited, new = problems(args.versions)
    if edited:
        print("\n".join(edited) + "\n" + EDITED_ADVICE, file=sys.stderr)
        return 1
    if args.check:
        if new:
            print("No checksum for: " + ", ".join(new) + "\n" + NEW_ADVICE, file=sys.stderr)
            return 1
        return 0
    with (args.versions / LOCK_NAME).open("a", encoding="utf-8") as lock:
        for name in new:
            lock.write(f"{file_digest(args.versions / name)}  {name}\n")
            print(f"locked {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
