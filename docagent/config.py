"""Settings: defaults < ``[tool.docagent]`` in pyproject.toml < ``DOCAGENT_*`` env < flags.

Every key is declared once in :class:`Settings`; unknown keys and values of the wrong type are
rejected with a one-line :class:`~docagent.errors.DocagentError` naming the key and its source.

A repository's ``[tool.docagent]`` is untrusted (docagent runs on clones of strangers' code):
it cannot choose where the user's credentials and code are sent (a provider that uses an API
key, ``openai_base_url``, ``otel_endpoint``) nor make docagent read or write outside the
repository (``db``, ``datasets``). Such values are dropped with one line on stderr unless the
user sets ``DOCAGENT_TRUST_REPO_CONFIG=1`` (see docs/configuration.md).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docagent.code.style_config import load_toml
from docagent.errors import DocagentError
from docagent.vocab import KINDS, README_SECTIONS, STYLE_SETTINGS

#: URL schemes of a shared PostgreSQL decision log (the ``store`` setting).
STORE_SCHEMES = ("postgresql://", "postgres://")

#: Settings whose command-line flag is not ``--<key>``.
FLAG_NAMES = {"openai_base_url": "base-url"}

_CHOICES: dict[str, tuple[str, ...]] = {
    "style": STYLE_SETTINGS,
    "visibility": ("public", "all"),
    "effort": ("auto", "off", "low", "medium", "high", "xhigh", "max"),
}


@dataclass
class Settings:
    """All docagent settings with their defaults; see docs/configuration.md."""

    include: list[str] = field(default_factory=lambda: ["**/*.py"])
    exclude: list[str] = field(default_factory=list)
    include_environments: bool = False
    style: str = "auto"
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    visibility: str = "public"
    line_length: int = 88
    types_in_docstrings: bool | None = None  # None: as the repository does (see drafting docs)
    provider: str = "auto"
    model: str = ""
    openai_base_url: str = ""
    timeout: float = 0.0
    interactive_timeout: float = 20.0
    max_retries: int = 2
    concurrency: int = 0
    max_cost: float = 0.0
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    effort: str = "auto"
    token_budget: int = 1500
    datasets: list[str] = field(default_factory=list)
    db: str = ""
    store: str = ""
    repo_name: str = ""
    otel_endpoint: str = ""
    readme_sections: list[str] = field(default_factory=lambda: list(README_SECTIONS))
    ai_attribution: bool = False
    redact_prompts: bool = True
    writing_seconds_baseline: float = 120.0

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (values are validated)."""
        merged = dataclasses.asdict(self)
        merged.update({k: v for k, v in changes.items() if v is not None})
        return _build(merged, "flags")


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _field_type(name: str) -> Any:
    hints = typing.get_type_hints(Settings)
    return hints[name]


def _coerce(key: str, value: Any, source: str, from_env: bool = False) -> Any:
    """Check (and for environment strings, convert) one value against its declared type."""
    if key not in _FIELDS:
        raise DocagentError(f"unknown setting '{key}' in {source}")
    tp = _field_type(key)
    if tp == bool | None:  # unset means "decide from the repository"
        if value is None:
            return None
        tp = bool
    origin = typing.get_origin(tp)
    if origin is dict:
        if from_env or not isinstance(value, Mapping):
            raise DocagentError(
                f"setting '{key}' in {source} must be a table in pyproject.toml "
                f'([tool.docagent.{key}."model-id"] with input and output)'
            )
        return check_prices(value, source)
    try:
        if origin in (list, types.GenericAlias) or tp == list[str]:
            if from_env and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError("a list of strings")
        elif tp is bool:
            if from_env and isinstance(value, str):
                low = value.strip().lower()
                if low not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise TypeError("true or false")
                value = low in ("1", "true", "yes", "on")
            if not isinstance(value, bool):
                raise TypeError("true or false")
        elif tp is int:
            if from_env and isinstance(value, str):
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("an integer")
        elif tp is float:
            if from_env and isinstance(value, str):
                value = float(value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError("a number")
            value = float(value)
        elif tp is str and not isinstance(value, str):
            raise TypeError("a string")
    except (TypeError, ValueError) as exc:
        names = {int: "an integer", float: "a number", bool: "true or false"}
        expected = str(exc) if isinstance(exc, TypeError) else names.get(tp, f"a {tp.__name__}")
        shown = "another type" if key == "store" else repr(value)  # may hold a password
        raise DocagentError(
            f"setting '{key}' in {source} must be {expected}, got {shown}"
        ) from None
    choices = _provider_choices() if key == "provider" else _CHOICES.get(key)
    if choices and value not in choices:
        raise DocagentError(
            f"setting '{key}' in {source} must be one of {', '.join(choices)}, got {value!r}"
        )
    url_key = key in ("openai_base_url", "otel_endpoint") and value
    if url_key and (not value.startswith(("http://", "https://")) or value.endswith("://")):
        raise DocagentError(
            f"setting '{key}' in {source} must be an http:// or https:// URL, got {value!r}"
        )
    if key == "store" and value and not value.strip().lower().startswith(STORE_SCHEMES):
        raise DocagentError(
            f"setting 'store' in {source} must be a postgresql:// URL "
            "(or empty for the local SQLite log)"
        )
    if key == "timeout" and value < 0:
        raise DocagentError(f"setting 'timeout' in {source} must not be negative, got {value:g}")
    if key == "kinds":
        bad = [k for k in value if k not in KINDS]
        if bad:
            raise DocagentError(
                f"setting 'kinds' in {source} has unknown kind {bad[0]!r} "
                f"(expected {', '.join(KINDS)})"
            )
    return value


PRICE_KEYS = ("input", "output", "cache_write", "cache_read")


def check_prices(table: Mapping[str, Any], source: str) -> dict[str, dict[str, float]]:
    """Validate a ``prices`` table: ``{model: {input, output[, cache_write, cache_read]}}``,
    non-negative USD per million tokens; return it with float values.

    Raises:
        DocagentError: One line naming the model entry and what is wrong with it.
    """
    out: dict[str, dict[str, float]] = {}
    for model, entry in table.items():
        where = f"prices.{model!r} in {source}"
        if not isinstance(entry, Mapping):
            raise DocagentError(f"{where} must be a table such as {{input = 1.0, output = 2.0}}")
        unknown = [k for k in entry if k not in PRICE_KEYS]
        if unknown:
            raise DocagentError(
                f"{where}: unknown key {unknown[0]!r} (expected {', '.join(PRICE_KEYS)})"
            )
        values: dict[str, float] = {}
        for k, v in entry.items():
            ok = isinstance(v, int | float) and not isinstance(v, bool)
            if not ok or not math.isfinite(v) or v < 0:
                raise DocagentError(f"{where}: {k} must be a non-negative number, got {v!r}")
            values[k] = float(v)
        if "input" not in values or "output" not in values:
            raise DocagentError(f"{where} needs both input and output (USD per million tokens)")
        out[str(model)] = values
    return out


def _build(values: Mapping[str, Any], source: str) -> Settings:
    checked = {k: _coerce(k, v, source) for k, v in values.items()}
    return Settings(**checked)


def read_pyproject(root: Path, file: Path | None = None) -> dict[str, Any]:
    """Return the ``[tool.docagent]`` table of ``root/pyproject.toml`` (empty when absent).

    ``file`` reads another file instead: a ``pyproject.toml`` (its ``[tool.docagent]``) or a
    docagent TOML file whose top-level keys are the settings (``--config``).
    """
    path = file if file is not None else root / "pyproject.toml"
    if not path.is_file():
        if file is not None:
            raise DocagentError(f"--config {file}: no such file")
        return {}
    try:
        data = load_toml(path)
    except (ValueError, UnicodeDecodeError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise DocagentError(f"{path}: cannot read TOML: {exc}") from None
    except OSError as exc:
        raise DocagentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    tool = data.get("tool", {})
    if file is not None and not (isinstance(tool, dict) and "docagent" in tool):
        table: Any = {k: v for k, v in data.items() if k != "tool"}
    else:
        table = tool.get("docagent", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise DocagentError(f"{path}: [tool.docagent] must be a table")
    table = copy.deepcopy(table)  # the parsed document is shared (load_toml)
    return {k.replace("-", "_"): v for k, v in table.items()}


#: The environment variable naming a settings file that replaces pyproject.toml discovery
#: (``--config FILE`` sets it for the command).
CONFIG_ENV = "DOCAGENT_CONFIG"


def settings_file(
    root: Path, path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The file whose docagent settings apply to ``path`` inside the repository at ``root``.

    ``DOCAGENT_CONFIG`` (``--config FILE``) wins. Otherwise the nearest ``pyproject.toml``
    with a ``[tool.docagent]`` table, from ``path``'s folder up to ``root`` (a package of a
    monorepo keeps its own settings), else ``root/pyproject.toml``.
    """
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser().resolve()
    root = Path(root).resolve()
    default = root / "pyproject.toml"
    if path is None:
        return default
    here = Path(path).resolve()
    here = here if here.is_dir() else here.parent
    if not here.is_relative_to(root):
        return default
    while here != root:
        candidate = here / "pyproject.toml"
        if candidate.is_file() and _has_docagent_table(candidate):
            return candidate
        here = here.parent
    return default


def _source_label(root: Path, file: Path, chosen: bool) -> str:
    """How errors name the settings file: ``[tool.docagent] of pyproject.toml``, ``--config F``."""
    if chosen:
        return f"--config {file}"
    try:
        rel = file.relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = str(file)
    return f"[tool.docagent] of {rel}"


def _has_docagent_table(path: Path) -> bool:
    try:
        data = load_toml(path)
    except (OSError, ValueError):  # tomllib.TOMLDecodeError and UnicodeDecodeError are
        return True  # unreadable: choose it, so reading it reports the problem
    tool = data.get("tool")
    return isinstance(tool, dict) and "docagent" in tool


#: The environment variable with which a user lets a repository's pyproject set trusted keys.
TRUST_ENV = "DOCAGENT_TRUST_REPO_CONFIG"
_TRUE = ("1", "true", "yes", "on")
_announced: set[tuple[str, str, str]] = set()


def trusts_repo_config(environ: Mapping[str, str] | None = None) -> bool:
    """True when the user opted in (``DOCAGENT_TRUST_REPO_CONFIG=1``) to the repository's keys."""
    env = os.environ if environ is None else environ
    return env.get(TRUST_ENV, "").strip().lower() in _TRUE


def _inside(root: Path, value: str) -> bool:
    """True when the path ``value`` (relative to ``root``) stays inside ``root``."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = root / path
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def _provider_choices() -> tuple[str, ...]:
    """The valid ``provider`` values (the registry is read only when a setting names one)."""
    from docagent.draft.providers import registry

    return registry.provider_choices()


def _sends_key(name: str) -> bool:
    """Whether the provider ``name`` sends the user's API key somewhere."""
    from docagent.draft.providers import registry

    return registry.sends_key(name)


def _untrusted_reason(root: Path, key: str, value: Any) -> str:
    """Why a repository may not set ``key`` to ``value`` ("" when it may)."""
    if key in ("openai_base_url", "otel_endpoint") and value:
        return "an endpoint"
    if key == "provider" and isinstance(value, str) and _sends_key(value):
        return "a provider that sends your API key"
    if key == "store" and value:
        return "a database server (your database credentials and code would go to it)"
    if key == "db" and isinstance(value, str) and value and not _inside(root, value):
        return "a path outside the repository"
    outside = isinstance(value, list) and any(
        isinstance(v, str) and not _inside(root, v) for v in value
    )
    if key == "datasets" and outside:
        return "a path outside the repository"
    return ""


def _announce(file: Path, key: str, why: str) -> None:
    """Say once per process and key that a repository's setting was ignored."""
    mark = (str(file), key, why)
    if mark in _announced:
        return
    _announced.add(mark)
    where = f"[tool.docagent] of {file}" if file.name == "pyproject.toml" else str(file)
    print(
        f"docagent: ignoring '{key}' in {where}: "
        f"a repository may not set {why} (set it with DOCAGENT_{key.upper()} or a flag, "
        f"or set {TRUST_ENV}=1 to trust this repository)",
        file=sys.stderr,
        flush=True,
    )


def repo_settings(
    root: Path, environ: Mapping[str, str] | None = None, path: str | Path | None = None
) -> dict[str, Any]:
    """The repository's ``[tool.docagent]`` keys docagent may use, untrusted ones dropped.

    The table comes from :func:`settings_file` (``--config``, else the ``pyproject.toml``
    nearest to ``path``). Endpoints, providers that send credentials and paths outside the
    repository are dropped (one line on stderr each) unless :func:`trusts_repo_config`, or
    unless the file is a ``--config`` file outside the repository (the user's own).
    """
    root = Path(root)
    file = settings_file(root, path, environ)
    env = os.environ if environ is None else environ
    chosen = bool(env.get(CONFIG_ENV))
    table = read_pyproject(root, file if chosen or file != root / "pyproject.toml" else None)
    users_own = chosen and not file.is_relative_to(root.resolve())
    if users_own or trusts_repo_config(environ):
        return table
    kept: dict[str, Any] = {}
    for key, value in table.items():
        why = _untrusted_reason(root, key, value)
        if why:
            _announce(file, key, why)
            continue
        kept[key] = value
    return kept


def load_settings(
    root: Path,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    path: str | Path | None = None,
) -> Settings:
    """Load settings for the repository at ``root``.

    Precedence, lowest to highest: defaults, the settings file (:func:`settings_file`:
    ``--config``, else the ``pyproject.toml`` nearest to ``path`` with a ``[tool.docagent]``
    table, else ``root/pyproject.toml``), ``DOCAGENT_<KEY>`` environment variables, then
    ``flags`` (``None`` values are ignored).
    The repository's keys are read with :func:`repo_settings` (untrusted ones dropped).
    """
    values: dict[str, Any] = {}
    env = os.environ if environ is None else environ
    source = _source_label(Path(root), settings_file(root, path, env), bool(env.get(CONFIG_ENV)))
    for key, value in repo_settings(root, env, path).items():
        values[key] = _coerce(key, value, source)
    for name, raw in env.items():
        if not name.startswith("DOCAGENT_") or name == "DOCAGENT_DB":
            continue
        key = name[len("DOCAGENT_") :].lower()
        if key not in _FIELDS:
            continue  # other tools may share the prefix; only declared keys are read
        values[key] = _coerce(key, raw, f"environment variable {name}", from_env=True)
    if env.get("DOCAGENT_DB"):
        values["db"] = env["DOCAGENT_DB"]
    for key, value in (flags or {}).items():
        if value is not None:
            flag = FLAG_NAMES.get(key, key.replace("_", "-"))
            values[key] = _coerce(key, value, f"flag --{flag}")
    return Settings(**values)
