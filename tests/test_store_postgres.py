"""The shared store on a real PostgreSQL server: configuration, credentials, errors, provenance.

The store's API suite runs on both backends in tests/test_store.py (the ``open_store``
fixture); this file covers what only a server has.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from conftest import PG_ROLE, PG_ROLE_PASSWORD, git, pg_table_text, pg_url

from docagent.cli import main
from docagent.errors import DocagentError
from docagent.store import SCHEMA_VERSION, DraftRecord, Store, StoreError
from docagent.store.api import repo_name, resolve_store_url
from docagent.store.postgres import redact_url

CORE = """def add(a, b):
    return a + b


class Box:
    def get(self):
        return 1
"""


def test_batch_report_and_log_on_the_shared_store_never_show_the_password(
    repo_factory, pg_store_url: str, monkeypatch, capsys
) -> None:
    """A batch run, report and log with a password in DOCAGENT_STORE: the password is nowhere
    in the output, the error messages or the log; every record names the repo and the person."""
    root = repo_factory({"m.py": CORE})
    git(root, "remote", "add", "origin", "git@github.com:Acme/Widgets.git")
    git(root, "config", "user.email", "author@example.com")
    monkeypatch.setenv("DOCAGENT_STORE", pg_store_url)
    assert PG_ROLE_PASSWORD in pg_store_url
    assert main(["batch", str(root), "--provider", "offline"]) == 0
    assert main(["report", str(root), "--format", "json"]) == 0
    assert main(["log", str(root)]) == 0
    out = capsys.readouterr()
    assert PG_ROLE_PASSWORD not in out.out + out.err
    assert "batch" in out.out
    assert not (root / ".docagent" / "docagent.db").exists()  # nothing went to a local file
    assert PG_ROLE_PASSWORD not in pg_table_text(pg_store_url)
    with Store(None, url=pg_store_url) as store:
        drafts = store.drafts()
        assert drafts and {d.repo for d in drafts} == {"github.com/Acme/Widgets"}
        assert {d.reviewer for d in drafts} == {"author@example.com"}
        (run,) = store.runs()
        assert (run.repo, run.reviewer) == ("github.com/Acme/Widgets", "author@example.com")
        assert PG_ROLE_PASSWORD not in json.dumps(run.config)


def test_password_from_pgpassword_or_pgpass(pg_store_url: str, monkeypatch, tmp_path) -> None:
    """A URL without a password works with PGPASSWORD, and with a ~/.pgpass entry."""
    bare = pg_store_url.replace(f":{PG_ROLE_PASSWORD}@", "@")
    assert PG_ROLE_PASSWORD not in bare
    monkeypatch.setenv("PGPASSWORD", PG_ROLE_PASSWORD)
    with Store(None, url=bare) as store:
        store.start_run("other")
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{PG_ROLE}:{PG_ROLE_PASSWORD}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with Store(None, url=bare) as store:
        assert len(store.runs()) == 1
    # a libpq service file names the server and holds the password: the URL names the service
    parts = urlsplit(pg_store_url)
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[team]\nhost={parts.hostname}\nport={parts.port}\ndbname=docagent_test\n"
        f"user={PG_ROLE}\npassword={PG_ROLE_PASSWORD}\n"
        f"options=-csearch_path={pg_store_url.rsplit('%3D', 1)[1]}\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    with Store(None, url="postgresql:///?service=team") as store:
        assert len(store.runs()) == 1
        assert store.label == "postgresql:///?service=team"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_clear_one_line_errors_name_the_server_never_the_password(
    postgres_admin_url: str, pg_store_url: str
) -> None:
    """Server down, wrong password, missing database, too-new schema: one line each, naming
    host and database, never the password."""
    secret = "hunter2-Secret-pw"
    down = f"postgresql://{PG_ROLE}:{secret}@127.0.0.1:{_free_port()}/team?connect_timeout=3"
    wrong = pg_url(postgres_admin_url, password=secret)
    missing = pg_url(postgres_admin_url, database="no_such_db")
    cases = [
        (down, "cannot reach the PostgreSQL server"),
        (wrong, "authentication failed"),
        (missing, "database does not exist"),
    ]
    for url, expected in cases:
        with pytest.raises(StoreError) as info:
            Store(None, url=url)
        message = str(info.value)
        assert expected in message
        assert "\n" not in message
        assert secret not in message and PG_ROLE_PASSWORD not in message
        assert redact_url(url).split("?")[0] in message
    with Store(None, url=pg_store_url) as store:
        store.start_run("other")
    with psycopg.connect(pg_store_url, autocommit=True) as conn:
        conn.execute("UPDATE docagent_schema SET version = 999")
    with pytest.raises(StoreError, match="schema version 999, newer than this docagent"):
        Store(None, url=pg_store_url)


def test_cli_error_for_an_unreachable_store_is_one_line(repo_factory, monkeypatch, capsys) -> None:
    """docagent report against a store that is down: exit 1, one line, no password."""
    root = repo_factory({"m.py": CORE})
    secret = "Pa55word-in-url"
    url = f"postgresql://team:{secret}@127.0.0.1:{_free_port()}/docagent?connect_timeout=3"
    monkeypatch.setenv("DOCAGENT_STORE", url)
    assert main(["report", str(root)]) == 2  # like every other unusable-log error
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the PostgreSQL server" in err
    assert "postgresql://team@127.0.0.1" in err and secret not in err


def test_redact_url() -> None:
    """Passwords leave URLs, in the user part and in the query; the rest stays."""
    assert redact_url("postgresql://u:p%40ss@db.example:5432/docagent?sslmode=require") == (
        "postgresql://u@db.example:5432/docagent?sslmode=require"
    )
    assert redact_url("postgres://db/x?password=s3cret&application_name=a") == (
        "postgres://db/x?application_name=a"
    )
    assert redact_url("postgresql:///docagent?service=team") == (
        "postgresql:///docagent?service=team"
    )


def test_store_setting_sources(tmp_path: Path, monkeypatch, capsys) -> None:
    """DOCAGENT_STORE, the trusted pyproject setting and their limits."""
    root = tmp_path / "r"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.docagent]\nstore = "postgresql://team@db.example/docagent"\n', encoding="utf-8"
    )
    # a cloned repository may not send the user's credentials to its own server
    assert resolve_store_url(root, environ={}) is None
    assert "ignoring 'store'" in capsys.readouterr().err
    trusted = {"DOCAGENT_TRUST_REPO_CONFIG": "1"}
    assert resolve_store_url(root, environ=trusted) == "postgresql://team@db.example/docagent"
    # the environment wins; DOCAGENT_DB (a local file) wins over the pyproject's store
    env = {**trusted, "DOCAGENT_STORE": "postgresql://other/x"}
    assert resolve_store_url(root, environ=env) == "postgresql://other/x"
    assert resolve_store_url(root, environ={**trusted, "DOCAGENT_DB": "x.db"}) is None
    with pytest.raises(DocagentError, match="must be a postgresql:// URL"):
        resolve_store_url(root, environ={"DOCAGENT_STORE": "mysql://u:pw@h/x"})
    from docagent.config import load_settings

    with pytest.raises(DocagentError, match="must be a postgresql:// URL") as info:
        load_settings(root, environ={"DOCAGENT_STORE": "sqlite:///u:pw@h"})
    assert "pw" not in str(info.value)


def test_repo_name_sources(tmp_path: Path, monkeypatch) -> None:
    """The repository a record carries: DOCAGENT_REPO_NAME, repo_name, the remote, the folder."""
    root = tmp_path / "checkout"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert repo_name(root, environ={}) == "checkout"
    git(root, "remote", "add", "origin", "https://bob:ghp_token123@GitHub.com/acme/tools.git")
    assert repo_name(root, environ={}) == "github.com/acme/tools"  # no credentials kept
    (root / "pyproject.toml").write_text('[tool.docagent]\nrepo_name = "tools"\n', "utf-8")
    assert repo_name(root, environ={}) == "tools"
    assert repo_name(root, environ={"DOCAGENT_REPO_NAME": "team/tools"}) == "team/tools"


def test_every_record_carries_repo_and_reviewer(open_store) -> None:
    """Runs, drafts, decisions, calls, coverage and eval runs carry the repo and the person."""
    with open_store(repo="github.com/acme/app") as store:
        store._reviewer = "dev@example.com"
        run = store.start_run("tui")
        did = store.record_draft(run, DraftRecord(path="m.py", qualname="f", kind="function"))
        store.record_decision(did, "accept", reviewer="lead@example.com")
        store.record_call(run, draft_id=did)
        store.record_coverage(run, 10.0, 20.0)
        store.record_eval_run(0.5, {}, [])
        assert (store.runs()[0].repo, store.runs()[0].reviewer) == (
            "github.com/acme/app",
            "dev@example.com",
        )
        assert (store.draft(did).repo, store.draft(did).reviewer) == (
            "github.com/acme/app",
            "dev@example.com",
        )
        (reviewed,) = store.decisions()
        assert (reviewed.repo, reviewed.reviewer) == ("github.com/acme/app", "lead@example.com")
        assert store.history(did)[0].repo == "github.com/acme/app"
        assert store.calls()[0].repo == "github.com/acme/app"
        assert store.coverage()[0].reviewer == "dev@example.com"
        assert store.eval_runs()[0].repo == "github.com/acme/app"


def test_the_documented_grants_suffice(postgres_admin_url: str, pg_store_url: str) -> None:
    """docs/team-setup.md's grants: the owner migrates; a writer role with only DML grants
    records everything; a reader role reads and is refused writes with a one-line error."""
    schema = pg_store_url.rsplit("%3D", 1)[1]
    with Store(None, url=pg_store_url) as owner:  # the owner creates the tables
        owner.start_run("other")
    admin = pg_url(postgres_admin_url, "postgres", urlsplit(postgres_admin_url).password)
    with psycopg.connect(admin, autocommit=True) as conn:
        for role in ("docagent_writer_t", "docagent_reader_t"):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
            conn.execute(f"GRANT CONNECT ON DATABASE docagent_test TO {role}")
            conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema}"
            " TO docagent_writer_t"
        )
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO docagent_reader_t")
    writer = pg_url(postgres_admin_url, "docagent_writer_t", "pw-docagent_writer_t", schema=schema)
    with Store(None, url=writer) as store:
        run = store.start_run("tui")
        draft = DraftRecord(path="m.py", qualname="f", kind="function", file_text="x = 1\n")
        did = store.record_draft(run, draft)
        intent = store.record_intent(did, "accept", path="m.py", qualname="f", final_text="F.")
        store.confirm_intent(intent)
        store.end_run(run)
        assert [r.decision for r in store.decisions()] == ["accept"]
    reader = pg_url(postgres_admin_url, "docagent_reader_t", "pw-docagent_reader_t", schema=schema)
    with Store(None, url=reader) as store:
        assert len(store.decisions()) == 1 and len(store.runs()) == 2
        with pytest.raises(StoreError, match="permission denied") as info:
            store.start_run("tui")
        assert "\n" not in str(info.value) and "pw-docagent_reader_t" not in str(info.value)


def test_a_write_postgresql_aborts_for_serialization_is_retried(pg_store_url: str) -> None:
    """A transaction aborted with a serialization failure is run again, and lands once."""
    with Store(None, url=pg_store_url) as store:
        run = store.start_run("tui")
        did = store.record_draft(run, DraftRecord(path="m.py", qualname="f", kind="function"))
        calls = []

        def write(conn):
            calls.append(1)
            conn.execute(
                "INSERT INTO decisions (draft_id, created_at, decision) VALUES (?, ?, ?)",
                (did, "2026-01-01T00:00:00.000+00:00", "accept"),
            )
            if len(calls) == 1:
                raise psycopg.errors.SerializationFailure("could not serialize access")

        store._write(write)
        assert len(calls) == 2
        assert len(store.history(did)) == 1  # the first attempt was rolled back


def test_malformed_urls_never_show_the_password() -> None:
    """A URL the driver cannot read is quoted back in its message: the password is cut out."""
    for url in (
        "postgresql://u:s3cretpw@[::1/db",
        "postgresql://u@[::1/db?password=s3cretpw",
        "postgresql://u:s3cretpw@127.0.0.1:1/db?bogus=1",
        "postgresql://u:s3cret%25pw@host:notaport/db",
    ):
        with pytest.raises(StoreError) as info:
            Store(None, url=url)
        message = str(info.value)
        assert "s3cret" not in message and "\n" not in message
        assert message.startswith("postgresql://u@")


def test_processes_creating_the_schema_at_once(pg_store_url: str) -> None:
    """Four processes open an empty shared store at once: one migrates, the others wait for it
    and find nothing left to do."""
    script = (
        "import sys; from docagent.store import Store; "
        "s = Store(None, url=sys.argv[1]); s.start_run('other'); print(s.schema_version)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, pg_store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert int(out) == SCHEMA_VERSION
    with psycopg.connect(pg_store_url) as conn:
        assert conn.execute("SELECT count(*) FROM docagent_schema").fetchone()[0] == 1
    with Store(None, url=pg_store_url) as store:
        assert len(store.runs()) == 4
