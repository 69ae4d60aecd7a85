"""A plain static file server on loopback (`python -m http.server`), standing in for the school's
web host once Laurel is switched off, and a fetcher that reads the school's URLs from it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.verify.core.fetching import DocumentNotFound
from tests.fixtures.app import TEST_PUBLIC_URL

START_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class StaticHost:
    """The static server at `server`, answering for the school's public URL `origin`."""

    server: str
    origin: str = TEST_PUBLIC_URL

    def url_for(self, public_url: str) -> str:
        """The loopback URL serving what `public_url` (under the school's origin) names."""
        assert public_url.startswith(f"{self.origin}/"), public_url
        return self.server + public_url.removeprefix(self.origin)

    def fetch(self, public_url: str) -> bytes:
        """The pipeline's Fetcher: the school's URL, read from the static host.

        A 404 is "no such document", as Laurel's HTTPS fetcher reports it.
        """
        try:
            with urllib.request.urlopen(self.url_for(public_url), timeout=10) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                message = f"{public_url} answered that there is no such document."
                raise DocumentNotFound(message) from None
            raise

    def status_of(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.server + path, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code


@contextmanager
def static_host(directory: Path) -> Iterator[StaticHost]:
    """Serve `directory` with `python -m http.server` on loopback until the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    host = StaticHost(server=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the static file server did not start") from None
                time.sleep(0.05)
        yield host
    finally:
        process.terminate()
        process.wait(timeout=10)
