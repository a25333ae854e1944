"""Git access: repository root, Python files, changes since a revision, commits.

What every command needs (the root, the file list, ``--since``, the exclude file, the user's
email) runs ``git`` directly (:func:`_git`), so ``scan`` and ``batch`` never import GitPython.
Committing (``review --commit``) goes through GitPython; it is not thread-safe and keeps
``git cat-file`` processes alive, so each such operation opens its own :class:`git.Repo` in a
``with`` block.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from docagent.errors import DocagentError


class GitFailed(Exception):
    """A ``git`` command run by :func:`_git` exited with an error (``stderr`` says why)."""

    def __init__(self, stderr: str) -> None:
        """Keep git's ``stderr``."""
        super().__init__(stderr)
        self.stderr = stderr


class _Commands:
    """``commands.ls_files("-z")`` runs ``git ls-files -z`` in one folder (like GitPython's)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __getattr__(self, name: str) -> Any:
        def run(*args: str) -> str:
            return self.start(name, *args).result()

        return run

    def start(self, name: str, *args: str) -> _Running:
        """Start ``git <name> <args>`` and return at once; :meth:`_Running.result` waits."""
        proc = subprocess.Popen(
            ["git", name.replace("_", "-"), *args],
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return _Running(proc)


class _Running:
    """A ``git`` command started by :meth:`_Commands.start`."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def result(self) -> str:
        """Wait for the command: its output (one trailing newline dropped), or raise GitFailed."""
        with self.proc as proc:
            out, err = proc.communicate()
        if proc.returncode != 0:
            raise GitFailed(err.decode("utf-8", "replace"))
        text = out.decode("utf-8", "surrogateescape")
        return text[:-1] if text.endswith("\n") else text

    def stop(self) -> None:
        """End the command if it still runs (its answer is no longer wanted)."""
        with self.proc as proc:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


class _Plain:
    """The repository containing a folder, as plain ``git`` sees it.

    Nothing runs until a command or an attribute needs it: the git folder, whether the
    repository is bare and its work tree's top come from one ``git rev-parse``, asked once.
    """

    def __init__(self, path: Path) -> None:
        self.git = _Commands(path)
        self._facts: tuple[str, bool, str | None] | None = None

    def _rev_parse(self) -> tuple[str, bool, str | None]:
        """(git folder, bare, work tree top or None), asked of git once."""
        if self._facts is None:
            top: str | None = None
            try:  # one process in a work tree; outside one (bare, inside .git) git refuses top
                bare, git_dir, top = self.git.rev_parse(
                    "--is-bare-repository", "--absolute-git-dir", "--show-toplevel"
                ).split("\n")
            except (GitFailed, ValueError):
                bare, git_dir = self.git.rev_parse(
                    "--is-bare-repository", "--absolute-git-dir"
                ).split("\n")
            self._facts = (git_dir, bare.strip() == "true", top)
        return self._facts

    @property
    def git_dir(self) -> str:
        """The repository's git folder (absolute)."""
        return self._rev_parse()[0]

    @property
    def bare(self) -> bool:
        """Whether the repository has no work tree."""
        return self._rev_parse()[1]

    @property
    def working_tree_dir(self) -> str | None:
        """The work tree's top folder (None for a bare repository), asked of git once."""
        git_dir, bare, top = self._rev_parse()
        if bare:
            return None
        if top is None:
            top = str(self.git.rev_parse("--show-toplevel"))
            self._facts = (git_dir, bare, top)
        return top


def _git_reason(path: Path, stderr: str, fallback: object) -> DocagentError:
    """The one-line error for a failed git command: git's ``fatal:``/``error:`` line."""
    text = stderr.strip().removeprefix("stderr:").strip().strip("'\"")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    detail = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), None)
    return DocagentError(f"{path}: git: {detail or (lines[0] if lines else fallback)}")


#: the repository of each folder asked about, so a command runs ``git rev-parse`` once per folder
_PLAIN: dict[Path, _Plain] = {}


def _not_a_repository(path: Path, exc: GitFailed) -> DocagentError:
    """The one-line error for a git command that failed in ``path``."""
    if "not a git repository" in exc.stderr:
        return DocagentError(f"{path}: not inside a git repository")
    return _git_reason(path, exc.stderr, exc)


@contextlib.contextmanager
def _git(path: Path) -> Iterator[_Plain]:
    """The repository containing ``path``, through plain ``git`` commands (no GitPython).

    Errors read like :func:`_repo`'s: no such path, not inside a git repository, or git's own
    reason (say, "detected dubious ownership" in a clone owned by another user) on one line.
    """
    if not Path(path).exists():
        raise DocagentError(f"{path}: no such file or directory")
    key = Path(path).resolve()
    plain = _PLAIN.get(key) or _Plain(key)
    _PLAIN[key] = plain
    try:
        yield plain
    except GitFailed as exc:
        raise _not_a_repository(path, exc) from None
    except FileNotFoundError as exc:
        if exc.filename != "git":
            raise
        raise DocagentError("git is not installed (or not on PATH)") from None


@contextlib.contextmanager
def _repo(path: Path) -> Iterator[Any]:
    """Open the repository containing ``path`` (a ``git.Repo``) for one operation.

    A git command that fails inside the block (say, "detected dubious ownership" in a clone
    owned by another user) becomes a one-line error with git's own last line.
    """
    import git

    try:
        r = git.Repo(path, search_parent_directories=True)
    except git.NoSuchPathError:
        raise DocagentError(f"{path}: no such file or directory") from None
    except git.InvalidGitRepositoryError:
        raise DocagentError(f"{path}: not inside a git repository") from None
    try:
        with r:
            yield r
    except git.GitCommandError as exc:
        raise _git_reason(path, str(exc.stderr or ""), exc) from None


#: work-tree roots found by :func:`find_root`, by the folder asked about (a command asks more
#: than once)
_ROOTS: dict[Path, Path] = {}

#: environment variables that change where git looks for a repository: when one is set,
#: :func:`find_root` asks git instead of looking for ``.git`` itself
_DISCOVERY_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG_PARAMETERS",  # git -c core.worktree=...
    "GIT_CONFIG_COUNT",
)


def _moves_work_tree(git_dir: Path) -> bool:
    """Whether the repository's own config could put its work tree elsewhere
    (``core.worktree``, or an ``include`` that might): then only git can say where it is."""
    configs = [git_dir / "config", git_dir / "config.worktree"]
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    else:  # a linked work tree: the shared config is the main repository's
        configs.append((git_dir / common) / "config")
    for config in configs:
        try:
            text = config.read_bytes().lower()
        except FileNotFoundError:
            continue
        if b"worktree" in text or b"include" in text:
            return True
    return False


def _top_by_walking(start: Path) -> Path | None:
    """The work tree's top folder for the folder ``start`` (resolved), found as git finds it,
    without running git; None when git must be asked.

    The top is the nearest folder, ``start`` or one of its parents, holding a ``.git`` folder
    with a ``HEAD`` file or a ``.git`` file naming the git folder (``gitdir: ...``: a linked
    work tree or a submodule). git is asked instead when anything could make its answer
    differ or when it has an error to give: an environment variable that moves the repository
    (``GIT_DIR``, ``git -c``, ...), a config that may (``core.worktree``, ``include``),
    ``start`` inside a ``.git`` folder, a parent on another filesystem, anything unreadable,
    or no ``.git`` up to ``/``.
    """
    if any(os.environ.get(name) for name in _DISCOVERY_ENV) or ".git" in start.parts:
        return None
    try:
        device = os.stat(start).st_dev
        for folder in (start, *start.parents):
            if os.stat(folder).st_dev != device:
                return None  # git stops at a filesystem boundary
            dot = folder / ".git"
            try:
                mode = os.stat(dot).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(mode):
                git_dir = dot
                if not os.path.isfile(dot / "HEAD"):
                    return None
            elif stat.S_ISREG(mode):
                with open(dot, "rb") as fh:
                    line = fh.read(4096).split(b"\n", 1)[0].strip()
                if not line.startswith(b"gitdir: "):
                    return None
                git_dir = folder / os.fsdecode(line[len(b"gitdir: ") :])
            else:
                return None
            return None if _moves_work_tree(git_dir) else folder
    except OSError:
        return None
    return None


def find_root(path: str | Path) -> Path:
    """Return the working-tree root of the git repository containing ``path``."""
    p = Path(path).resolve()
    start = p if p.is_dir() else p.parent
    if not p.exists():
        raise DocagentError(f"{path}: no such file or directory")
    known = _ROOTS.get(start)
    if known is not None and (known / ".git").exists():
        return known
    found = _top_by_walking(start)
    if found is not None:
        _ROOTS[start] = found
        return found
    with _git(start) as r:
        top = r.working_tree_dir
        if top is None:
            raise DocagentError(f"{path}: is a bare git repository")
        _ROOTS[start] = root = Path(top).resolve()
        return root


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Return True when the POSIX relative ``path`` matches any of the glob ``patterns``.

    ``**`` matches any number of directories (including none), ``*`` stays within one
    directory level for patterns that contain ``/``; a pattern without ``/`` matches the file
    name at any depth.
    """
    pure = PurePosixPath(path)
    for pat in patterns:
        if "/" not in pat:
            if fnmatch.fnmatchcase(pure.name, pat):
                return True
            continue
        if pure.full_match(pat) if hasattr(pure, "full_match") else _glob_match(path, pat):
            return True
        if pat.startswith("**/") and matches(path, [pat[3:]]):
            return True
    return False


def _glob_match(path: str, pat: str) -> bool:
    """Match ``path`` against a ``**``-aware glob (for Python versions without full_match)."""
    import re

    regex = ""
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pat.startswith("**", i):
            regex += ".*"
            i += 2
        elif pat[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pat[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            regex += re.escape(pat[i])
            i += 1
    return re.fullmatch(regex, path) is not None


ENVIRONMENT_DIRS = frozenset(
    {"venv", ".venv", "env", "__pycache__", "site-packages", "dist-packages", ".tox", ".nox"}
)
"""Folder names that hold an installed environment or a cache, never a project's own code."""


def _environment_dirs(root: Path, untracked: Iterable[str]) -> set[str]:
    """The folders (relative, posix) among ``untracked`` files' parents that are environments:
    named like one (:data:`ENVIRONMENT_DIRS`) or holding a ``pyvenv.cfg``."""
    found: set[str] = set()
    checked: dict[str, bool] = {}
    for f in untracked:
        parts = f.split("/")[:-1]
        for i in range(len(parts)):
            prefix = "/".join(parts[: i + 1])
            is_env = checked.get(prefix)
            if is_env is None:
                is_env = parts[i] in ENVIRONMENT_DIRS or (root / prefix / "pyvenv.cfg").is_file()
                checked[prefix] = is_env
            if is_env:
                found.add(prefix)
                break
    return found


@dataclass(frozen=True)
class SinceSpan:
    """What ``--since`` compares: ``git diff`` arguments, and whether the work tree counts.

    ``--since REV`` compares the work tree (and untracked files) with the merge base of
    ``HEAD`` and ``REV``: what this branch changed, not what ``REV`` gained since the branch
    left it. ``--since A...B`` compares ``B`` with the merge base of ``A`` and ``B`` (commits
    only), like ``git diff A...B``.
    """

    base: str
    diff_args: tuple[str, ...]
    work_tree: bool


def _command_errors() -> tuple[type[Exception], ...]:
    """What a failed git command raises: :class:`GitFailed`, or GitPython's error if in use."""
    git = sys.modules.get("git")
    return (GitFailed, git.GitCommandError) if git is not None else (GitFailed,)


def _commit(r: Any, rev: str, flag: str) -> str:
    """The commit id of ``rev`` (one-line error naming ``flag`` when it is unknown)."""
    try:
        return str(r.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}")).strip()
    except _command_errors():
        raise DocagentError(f"{flag}: unknown git revision {rev!r}") from None


def _merge_base(r: Any, a: str, b: str, flag: str) -> str:
    if a == b:  # ``--since HEAD``: a commit is its own merge base
        return a
    try:
        return str(r.git.merge_base(a, b)).strip()
    except _command_errors():
        raise DocagentError(f"{flag}: {a} and {b} have no common ancestor") from None


def since_span(r: Any, since: str) -> SinceSpan:
    """Resolve a ``--since`` value (``REV`` or ``A...B``) in the open repository ``r``.

    Raises:
        DocagentError: An unknown revision, ``A..B`` (two dots), or unrelated histories.
    """
    flag = f"--since {since}"
    if since.startswith("-"):
        raise DocagentError(f"{flag}: a git revision cannot start with '-'")
    if "..." in since:
        left, _, right = since.partition("...")
        a = _commit(r, left or "HEAD", flag)
        b = _commit(r, right or "HEAD", flag)
        base = _merge_base(r, a, b, flag)
        return SinceSpan(base, (base, b), work_tree=False)
    if ".." in since:
        raise DocagentError(
            f"{flag}: two-dot ranges are not supported; use A...B (what B changed since it "
            "left A) or one revision (what this branch changed since it left REV)"
        )
    rev = _commit(r, since, flag)
    head = _commit(r, "HEAD", flag)
    base = _merge_base(r, head, rev, flag)
    return SinceSpan(base, (base,), work_tree=True)


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def changed_lines(root: Path, since: str, paths: Sequence[str]) -> dict[str, set[int] | None]:
    """The lines of each of ``paths`` (relative to ``root``) changed per ``--since``.

    A file absent from the base (new, untracked, renamed) maps to ``None``: all of it is new.
    Line numbers are 1-based, in the file as it is now (``B`` for ``A...B``).
    """
    out: dict[str, set[int] | None] = {}
    with _git(root) as r:
        span = since_span(r, since)
        for rel in paths:
            text = r.git.diff(
                "-U0", "--no-color", "--no-ext-diff", "--no-renames", *span.diff_args, "--", rel
            )
            if not text:
                in_base = _in_commit(r, span.base, rel)
                out[rel] = set() if in_base else None
                continue
            if "\nnew file mode" in "\n" + text or "--- /dev/null" in text:
                out[rel] = None
                continue
            lines: set[int] = set()
            for hunk in _hunks(text):
                start, count, added, removed = hunk
                if not count:  # a pure deletion touches the lines around it
                    lines.update((start, start + 1))
                elif any(x.strip() for x in removed):  # code went: every new line counts
                    lines.update(range(start, start + count))
                else:  # added blank lines change no definition
                    lines.update(start + i for i, x in enumerate(added) if x.strip())
            out[rel] = lines
    return out


def own_lines_touched(spans: Sequence[tuple[int, int]], lines: set[int] | None) -> list[bool]:
    """Which of one file's target spans (first, last line) have a line of their own in ``lines``.

    A target's own lines are its span minus the spans of the definitions nested in it: a class
    is not touched because one of its methods changed, nor a module because one of its
    functions did. ``lines`` None (a new file) touches every target.
    """
    if lines is None:
        return [True] * len(spans)
    out = []
    for i, (start, end) in enumerate(spans):
        own = set(range(start, end + 1))
        for j, (s, e) in enumerate(spans):
            if j != i and start <= s and e <= end and (s, e) != (start, end):
                own -= set(range(s, e + 1))
        out.append(bool(own & lines))
    return out


def _hunks(diff: str) -> list[tuple[int, int, list[str], list[str]]]:
    """The hunks of a ``-U0`` diff: (first new line, new line count, added and removed lines)."""
    out: list[tuple[int, int, list[str], list[str]]] = []
    for line in diff.splitlines():
        m = _HUNK.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2) or 1), [], []))
        elif out and line.startswith("+"):
            out[-1][2].append(line[1:])
        elif out and line.startswith("-"):
            out[-1][3].append(line[1:])
    return out


def _in_commit(r: Any, commit: str, rel: str) -> bool:
    try:
        r.git.cat_file("-e", f"{commit}:{rel}")
    except _command_errors():
        return False
    return True


def _changed_since(r: _Plain, since: str) -> tuple[list[str], list[str]] | None:
    """For ``--since REV``: the files changed in the work tree since the merge base of ``HEAD``
    and ``REV`` (deleted ones left out) and the untracked ``.py`` files, from two ``git``
    processes run side by side; None when git does not answer this way.

    ``git diff --merge-base`` (git 2.30 and later) finds the merge base itself. None for
    ``A...B``, for git before 2.30, for several merge bases and for any error (an unknown
    revision, no common ancestor): :func:`since_span` then resolves ``since`` step by step and
    gives the one-line error.
    """
    if since.startswith("-") or ".." in since:
        return None
    diff = r.git.start(
        "diff",
        "-z",
        "--name-only",
        "--no-renames",
        "--diff-filter=d",  # a file gone from the index is listed, if it is there, as untracked
        "--merge-base",
        f"{since}^{{commit}}",
        "--",
    )
    try:
        out = r.git.ls_files("-z", "--others", "--exclude-standard")
    except BaseException:
        diff.stop()
        raise
    try:
        changed = diff.result().split("\0")
    except GitFailed:
        return None
    return changed, [f for f in out.split("\0") if f.endswith(".py")]


def python_files(
    root: Path,
    include: Sequence[str] = ("**/*.py",),
    exclude: Sequence[str] = (),
    since: str | None = None,
    under: Path | None = None,
    include_environments: bool = False,
) -> list[str]:
    """List the repository's ``.py`` files (tracked and untracked-but-not-ignored), sorted.

    Symbolic links are left out: a link to a file inside the repository would draft that file
    twice, and one to a file outside it must never be written.

    ``since`` keeps only files changed since that revision (committed, staged or unstaged,
    plus untracked files); ``under`` keeps only files inside that directory or equal to that file.
    Untracked virtual environments and caches (a folder named like ``venv``, ``.venv``, ``env``,
    ``__pycache__``, ``site-packages``, or holding a ``pyvenv.cfg``) are left out unless
    ``include_environments``: they are installed code, not the project's.
    """
    with _git(root) as r:
        listed = _changed_since(r, since) if since else None
        files: set[str] = set()
        untracked: list[str] = []
        if listed is not None:
            files = {f for f in listed[0] if f.endswith(".py")}
            untracked = listed[1]
            files.update(untracked)
        else:
            out = r.git.ls_files("-z", "-t", "--cached", "--others", "--exclude-standard")
            for entry in out.split("\0"):
                tag, _, f = entry.partition(" ")
                if not f.endswith(".py"):
                    continue
                files.add(f)
                if tag == "?":
                    untracked.append(f)
        if untracked and not include_environments:
            envs = _environment_dirs(root, untracked)
            if envs:
                files -= {f for f in untracked if any(f.startswith(e + "/") for e in envs)}
        if since and listed is None:
            span = since_span(r, since)
            changed = set(
                r.git.diff("-z", "--name-only", "--no-renames", *span.diff_args, "--").split("\0")
            )
            if span.work_tree:
                changed.update(untracked)  # listed above (tag "?"): no second ls-files
            files &= changed
    rel_under = None
    if under is not None:
        rel = Path(under).resolve().relative_to(root)
        rel_under = "" if str(rel) == "." else rel.as_posix()
    result = []
    for f in files:
        if not (root / f).is_file():
            continue  # deleted in the work tree
        if (root / f).is_symlink():
            continue  # an alias of a file listed itself, or a file outside the repository
        if rel_under and f != rel_under and not f.startswith(rel_under.rstrip("/") + "/"):
            continue
        if not matches(f, include) or matches(f, exclude):
            continue
        result.append(f)
    return sorted(result)


def _plain_git_dir(root: Path) -> Path | None:
    """``root/.git`` when it is the repository's git folder without asking git: a folder, and
    no ``GIT_DIR`` or ``GIT_COMMON_DIR`` in the environment (else None: ask git)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_COMMON_DIR"):
        return None
    folder = Path(root) / ".git"
    return folder if folder.is_dir() and not folder.is_symlink() else None


def ensure_excluded(root: Path, entry: str = ".docagent/") -> None:
    """Add ``entry`` to ``.git/info/exclude`` once (never touches the user's .gitignore).

    ``root`` is the repository's top folder. The git folder is ``root/.git`` when that is a
    folder (no ``git`` process then), else what git says (a worktree, a submodule)."""
    git_dir = _plain_git_dir(root)
    if git_dir is None:
        with _git(root) as r:
            git_dir = Path(r.git_dir)
    exclude = git_dir / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    existing = exclude.read_text(encoding="utf-8") if exclude.exists() else ""
    if entry not in existing.splitlines():
        with exclude.open("a", encoding="utf-8") as fh:
            if existing and not existing.endswith("\n"):
                fh.write("\n")
            fh.write(entry + "\n")


def git_config(root: Path, names: Sequence[str]) -> dict[str, str]:
    """The repository's git settings ``names`` (lower-case ``section.key`` names, as
    ``git config --get`` reads them, the last value of one set several times), read by one
    ``git config`` process; a name that is not set is absent, and so is every name when git
    cannot say."""
    pattern = "^(" + "|".join(re.escape(n) for n in names) + ")$"
    values: dict[str, str] = {}
    with contextlib.suppress(Exception), _git(root) as r:  # none set: git exits 1
        out = r.git.config("-z", "--get-regexp", pattern)
        for entry in out.split("\0"):
            name, _, value = entry.partition("\n")
            if name:
                values[name] = value
    return values


def user_email(root: Path, email: str | None = None) -> str:
    """Return git ``user.email`` for the repository (``email`` when the caller read it
    already: :func:`git_config`), else the OS user name."""
    import getpass

    if email is None:
        email = git_config(root, ["user.email"]).get("user.email", "")
    if email.strip():
        return email.strip()
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def commit_files(root: Path, paths: Sequence[str], message: str, branch: str | None = None) -> str:
    """Commit ``paths`` (relative to ``root``) with ``message``; optionally on a new ``branch``.

    Returns the new commit's hex sha.
    """
    with _repo(root) as r:
        if branch:
            r.git.checkout("-b", branch)
        r.git.add("--", *paths)
        r.git.commit("-m", message, "--", *paths)
        return r.git.rev_parse("HEAD").strip()


def branch_problem(root: Path, name: str) -> str | None:
    """Why ``name`` cannot be the new branch of ``commit_files`` (None when it can).

    Checked before a review starts, so a session's accepts are never left uncommitted at the
    end because of a name git refuses or a branch that already exists.
    """
    import git

    with _repo(root) as r:
        try:
            r.git.check_ref_format("--branch", name)
        except git.GitCommandError:
            return f"--branch {name!r}: not a valid branch name"
        try:
            r.git.rev_parse("--verify", "--quiet", f"refs/heads/{name}")
        except git.GitCommandError:
            return None
        return f"--branch {name!r}: the branch already exists; pick a new name"


def change_commit(root: Path, path: str, line: str, present: bool) -> tuple[str, str] | None:
    """The newest commit that added (``present``) or removed ``line`` in ``path``.

    Returns ``(sha, committer time ISO 8601)`` from ``git log -S`` (the newest commit that
    changed how often ``line`` occurs in the file), or None when no commit did, or when that
    commit's file still has (for ``present``: lacks) the line: the change is not committed yet.
    """
    if not line:
        return None
    try:
        with _git(root) as r:
            out = r.git.log("-1", "--format=%H %cI", f"-S{line}", "--", path).strip()
            if not out:
                return None
            sha, when = out.split(" ", 1)
            try:
                text = r.git.show(f"{sha}:{path}")
            except GitFailed:
                text = ""  # the commit deleted the file
    except DocagentError:
        return None
    return (sha, when) if (line in text) == present else None


def repo_name(root: Path) -> str:
    """The repository's name in reports: its ``origin`` remote, normalised, else its folder.

    ``https://user:token@github.com/org/x.git`` and ``git@github.com:org/x.git`` both become
    ``github.com/org/x``: credentials, scheme and ``.git`` are dropped.
    """
    return remote_name(root) or Path(root).resolve().name


def remote_name(root: Path, url: str | None = None) -> str:
    """The ``origin`` remote normalised as in :func:`repo_name` (host lower-cased); "" if none.

    ``url``: the remote's URL when the caller read it already (:func:`git_config`)."""
    if url is None:
        url = git_config(root, ["remote.origin.url"]).get("remote.origin.url", "")
    url = url.strip()
    if not url:
        return ""
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE)
    url = url.rsplit("@", 1)[-1]
    if ":" in url and "/" in url and url.index(":") < url.index("/"):
        host, rest = url.split(":", 1)
        url = f"{host}/{re.sub(r'^[0-9]+/', '', rest)}"  # scp form, or host:port/path
    host, sep, path = url.partition("/")
    return (host.lower() + sep + path).removesuffix("/").removesuffix(".git")
