"""Python's ``ast`` parser is used one thread at a time (CPython gh-106905)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import docagent
from docagent.code import pyast
from docagent.code.edit import DocEdit, apply_file_edits
from docagent.code.targets import code_shas, read_file

PACKAGE = Path(docagent.__file__).parent
_DIRECT = re.compile(r"\bast\.(parse|literal_eval)\(|PyCF_ONLY_AST")


def test_every_parse_in_the_package_goes_through_pyast() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "pyast.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if _DIRECT.search(code) and '"""' not in line and "``" not in line:
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def _module(n: int) -> str:
    return "".join(
        f"def f{i}(a, b=1):\n    if a:\n        return [x * b for x in range(a)]\n"
        "    return None\n\n"
        for i in range(n)
    )


class _Finalized:
    """An object in a reference cycle whose finalizer runs Python code during a collection."""

    def __del__(self) -> None:
        sum(range(10))


def test_parsing_on_two_threads_under_gc_pressure_never_fails(tmp_path: Path) -> None:
    # The review TUI accepts (edit engine: parse + verify) on the UI thread while the prefetch
    # worker reads files and fingerprints code on another. Finalizers that run during a garbage
    # collection switch threads in the middle of a parse: without the lock this fails with
    # "SystemError: AST constructor recursion depth mismatch" within a few dozen parses.
    (tmp_path / "m.py").write_text(_module(80))
    errors: list[BaseException] = []
    stop = threading.Event()

    def churn() -> None:
        for _ in range(400):  # bounded: at most 400,000 objects, whatever the collector does
            if stop.is_set():
                return
            for _ in range(1000):
                obj = _Finalized()
                obj.cycle = obj  # type: ignore[attr-defined]

    def fingerprints() -> None:
        try:
            for _ in range(15):
                code_shas(read_file(str(tmp_path / "m.py"), "m.py"))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    def edits() -> None:
        try:
            for i in range(15):
                edit = DocEdit(f"f{i}", f"Do thing {i}.", None)
                apply_file_edits(tmp_path, "m.py", [edit], dry_run=True)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    churner = threading.Thread(target=churn, daemon=True)
    churner.start()
    workers = [threading.Thread(target=fingerprints), threading.Thread(target=edits)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    churner.join()
    assert errors == []


def test_a_parse_waits_while_another_thread_holds_the_lock() -> None:
    done = threading.Event()

    def parse() -> None:
        pyast.parse("x = 1\n")
        done.set()

    with pyast.LOCK:
        worker = threading.Thread(target=parse)
        worker.start()
        assert not done.wait(0.2)
    assert done.wait(5)
    worker.join()
