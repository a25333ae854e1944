"""Every file docagent writes goes through here: atomic replaces, kept file identity, streams.

- :func:`write_atomic` replaces a file so that readers see the old bytes or the new ones, never
  a mix. An existing file keeps its identity: owner, group and permission bits are copied to the
  new file before the rename; a file with several hard links (or an owner this user cannot give
  a new file) is rewritten in place (the same inode) from a complete, synced copy, so every
  link sees the edit. A kill at any moment
  leaves either the old or the new content; the next write in that folder finishes or removes
  what a killed writer left (:func:`recover_stale_temps`). :func:`write_atomic_many` does the
  same for a group of files, syncing them together instead of one after the other.
- Temporary files are named ``.<name>.docagent-<pid>-<random>.tmp`` in the target's folder (the
  same file system, so the rename is atomic); :data:`TEMP_GLOB` is added to
  ``.git/info/exclude`` so they never show up in ``git status`` while they exist.
- :func:`open_output` / :func:`write_output` write an ``--out`` destination: ``-`` is standard
  output, a device or a FIFO is written as a stream, and only a regular file (or a new path) is
  replaced atomically, so ``--out /dev/null`` never replaces a device with a regular file.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

TEMP_GLOB = ".*.docagent-*.tmp"
"""The ``.git/info/exclude`` pattern of docagent's temporary files (and their in-place copies)."""

_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.docagent-(?P<pid>\d+)-[0-9a-f]{8}(?P<copy>\.copy)?\.tmp$")
STDOUT = "-"


def _temp_path(real: str, *, copying: bool = False) -> str:
    directory, name = os.path.split(real)
    tag = f".{name}.docagent-{os.getpid()}-{secrets.token_hex(4)}"
    return os.path.join(directory, tag + (".copy" if copying else "") + ".tmp")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's live process
    return True


def _fsync_dir(directory: str) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def _write_new(path: str, data: bytes, mode: int, sync: bool = True) -> None:
    """Create ``path`` (which must not exist) with ``data``, synced to disk when ``sync``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into(real: str, data: bytes) -> None:
    """Rewrite ``real`` in place (same inode, so hard links stay one file) and sync it."""
    fd = os.open(real, os.O_WRONLY)
    try:
        view = memoryview(data)
        offset = 0
        while offset < len(data):
            offset += os.pwrite(fd, view[offset:], offset)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _keep_identity(tmp: str, st: os.stat_result) -> bool:
    """Give ``tmp`` the owner, group and permission bits of the file it replaces.

    Returns False when the owner or group cannot be given (not root): the caller then
    rewrites the file in place instead, which keeps them.
    """
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            return False
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    return True


def recover_stale_temps(directory: str | Path) -> list[str]:
    """Finish or remove what a killed docagent writer left in ``directory``; return the names.

    A plain temporary file is removed (its rename never happened: the target holds the old
    bytes). An in-place copy (``….copy.tmp``) means the target may be half rewritten: the
    complete, synced new bytes it holds are copied into the target, then it is removed. Files
    of live processes are left alone.
    """
    handled: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return handled
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None or _pid_alive(int(m["pid"])):
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            if m["copy"]:
                target = os.path.join(directory, m["name"])
                with open(path, "rb") as fh:
                    data = fh.read()
                if os.path.isfile(target):
                    _copy_into(target, data)
            os.unlink(path)
            handled.append(name)
    return handled


def write_atomic(
    path: str | Path, data: bytes, *, mode: int | None = None, sync: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically, keeping an existing file's identity.

    A symlink is followed (the link stays a link). An existing file keeps its owner, group and
    permission bits (``mode`` overrides the bits); one with several hard links is rewritten in
    place after a complete copy was synced next to it, so the links stay one file. A new file
    gets ``mode`` (default ``0o644``). The data is synced before the rename and the folder after
    (``sync=False`` skips both, for caches that can be rebuilt).

    Raises:
        IsADirectoryError: ``path`` exists but is not a regular file (a directory, a device).
        OSError: when the write fails; the file then keeps its old content.
    """
    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    recover_stale_temps(directory)
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise IsADirectoryError(21, "not a regular file", str(path))
    tmp = _temp_path(real)
    try:
        _write_new(tmp, data, 0o600, sync)
        if st is None or (st.st_nlink == 1 and _keep_identity(tmp, st)):
            if mode is not None or st is None:
                os.chmod(tmp, 0o644 if mode is None else mode)
            os.replace(tmp, real)
            tmp = ""
        else:
            # Several hard links, or an owner we cannot give a new file: rewrite the same
            # inode. The synced copy is renamed first, so a kill during the rewrite is finished
            # by recover_stale_temps from complete bytes.
            copy = _temp_path(real, copying=True)
            os.rename(tmp, copy)
            tmp = copy
            _fsync_dir(directory)
            with open(real, "rb") as fh:
                old = fh.read()
            try:
                _copy_into(real, data)
            except OSError:
                try:
                    _copy_into(real, old)  # e.g. a full disk: put the old bytes back
                except OSError:
                    tmp = ""  # keep the complete copy: recover_stale_temps finishes the write
                raise
            if mode is not None:
                os.chmod(real, mode)
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if sync:
        _fsync_dir(directory)


class ChangedMeanwhile(OSError):
    """A file of :func:`write_atomic_many` changed before its turn came: it was not replaced."""


#: threads that sync a group's temporary files at once (the file system commits them together)
SYNC_THREADS = 8


def _sync_paths(paths: list[str]) -> list[OSError | None]:
    """``fsync`` each file of ``paths`` (several at once); the error of each, or None."""

    def sync(path: str) -> OSError | None:
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            return exc
        return None

    if len(paths) < 2:
        return [sync(p) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(SYNC_THREADS, len(paths))) as pool:
        return list(pool.map(sync, paths))


def write_atomic_many(
    items: list[tuple[str | Path, bytes]],
    *,
    unchanged: Callable[[int], bool] | None = None,
) -> list[OSError | None]:
    """Replace each ``(path, data)`` of ``items`` atomically, syncing the group together.

    The guarantee of :func:`write_atomic` holds for each file — a kill or a power loss at any
    moment leaves it with its old bytes or its new ones, never a mix — with the syncs grouped:
    every new file is written next to its target and all of them are synced (before any is
    renamed), then each is renamed over its target, then each folder is synced once. So once
    this returns, every file it reports written is on disk. ``unchanged(i)``, asked just before
    item ``i`` is renamed, says whether its file still holds what the caller read; when it does
    not, the file is left alone (:class:`ChangedMeanwhile`). A file with several hard links (or
    an owner this user cannot give a new file) is written by :func:`write_atomic` on its own.

    Returns, per item, None when it was written, or the error that left it untouched.
    """
    errors: list[OSError | None] = [None] * len(items)
    temps: dict[int, str] = {}
    alone: list[int] = []
    reals: list[str] = []
    recovered: set[str] = set()
    try:
        for i, (path, data) in enumerate(items):
            real = os.path.realpath(path)
            reals.append(real)
            directory = os.path.dirname(real) or "."
            if directory not in recovered:
                recovered.add(directory)
                recover_stale_temps(directory)
            try:
                st = os.stat(real)
            except FileNotFoundError:
                st = None
            except OSError as exc:
                errors[i] = exc
                continue
            if st is not None and not stat.S_ISREG(st.st_mode):
                errors[i] = IsADirectoryError(21, "not a regular file", str(path))
                continue
            tmp = _temp_path(real)
            try:
                _write_new(tmp, data, 0o600, sync=False)
                if st is None:
                    os.chmod(tmp, 0o644)
                elif st.st_nlink != 1 or not _keep_identity(tmp, st):
                    os.unlink(tmp)
                    alone.append(i)
                    continue
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                errors[i] = exc
                continue
            temps[i] = tmp
        order = list(temps)
        for i, failed in zip(order, _sync_paths([temps[i] for i in order]), strict=True):
            if failed is not None:
                errors[i] = failed
                with contextlib.suppress(OSError):
                    os.unlink(temps.pop(i))
        renamed: set[str] = set()
        for i in sorted(temps):
            tmp = temps.pop(i)
            try:
                if unchanged is not None and not unchanged(i):
                    raise ChangedMeanwhile("the file changed while the edit was prepared")
                os.replace(tmp, reals[i])
            except OSError as exc:
                errors[i] = exc
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                continue
            renamed.add(os.path.dirname(reals[i]) or ".")
        for directory in sorted(renamed):
            _fsync_dir(directory)
    finally:
        for tmp in temps.values():  # an exception (a KeyboardInterrupt) on the way
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    for i in alone:
        try:
            if unchanged is not None and not unchanged(i):
                raise ChangedMeanwhile("the file changed while the edit was prepared")
            write_atomic(reals[i], items[i][1])
        except OSError as exc:
            errors[i] = exc
    return errors


def is_stream(out: str | Path) -> bool:
    """True when ``out`` is ``-`` (standard output) or an existing device, FIFO or socket."""
    if str(out) == STDOUT:
        return True
    try:
        st = os.stat(out)
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode)


@contextlib.contextmanager
def open_output(
    out: str | Path, *, append: bool = False, parents: bool = True
) -> Iterator[IO[str]]:
    """Open the ``--out`` destination ``out`` for writing text (UTF-8, ``\\n`` newlines).

    ``-`` yields standard output; a device or FIFO is opened and written as a stream; a regular
    or new file is written to memory and replaced atomically (:func:`write_atomic`) when the
    block ends without an error (``append`` keeps its current content first). The folder of a
    new file is created when ``parents``.
    """
    if str(out) == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    if is_stream(out):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    path = Path(out)
    buf = io.StringIO(newline="")
    if append and path.is_file():
        buf.write(path.read_text(encoding="utf-8"))
    yield buf
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buf.getvalue().encode("utf-8"))


def write_output(out: str | Path, text: str, *, parents: bool = True) -> None:
    """Write ``text`` to the ``--out`` destination ``out`` (see :func:`open_output`)."""
    with open_output(out, parents=parents) as fh:
        fh.write(text)
