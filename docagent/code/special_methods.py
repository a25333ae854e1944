"""Which special methods the repository's docstring checkers require a docstring on.

By default docagent counts ``__init__`` and ``__call__`` of public classes and no other dunder
method. A repository whose checkers ask for more (or less) gets their answer instead; each
checker the repository configures decides, and a method counts when any of them requires it:

- ruff, when its rule selection enables any missing-docstring rule (``D1``): magic methods
  count when D105 is enabled and ``__init__`` when D107 is (ruff's ``numpy`` convention turns
  D107 off unless ``D107`` itself is selected). Selection is resolved as ruff does: ``select``
  (default: no ``D`` rules), ``extend-select``, ``ignore`` and ``extend-ignore`` from
  ``.ruff.toml``, ``ruff.toml`` or ``[tool.ruff]`` of ``pyproject.toml`` (``lint.`` keys first);
  a more specific code wins, and an ignore wins over a select of the same length.
- pydocstyle (``[tool.pydocstyle]``, ``[pydocstyle]`` in ``setup.cfg``, ``tox.ini`` or
  ``.pydocstyle``): its ``convention``, ``select`` or ``ignore`` (pep257 when none is set),
  then ``add-select`` and ``add-ignore``.
- flake8-docstrings (``docstring-convention`` in ``[flake8]``), with flake8's ``select``,
  ``extend-select``, ``ignore`` and ``extend-ignore`` (the longer code wins).
- interrogate (``[tool.interrogate]``, ``[tool:interrogate]`` in ``setup.cfg``): magic methods
  count unless ``ignore-magic``, ``__init__`` unless ``ignore-init-method``.

"Magic" is pydocstyle's meaning: a method named ``__x__`` other than ``__init__`` and
``__call__`` (``__new__`` included), in a public class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docagent.code.style_config import get_key, read_ini, read_pyproject

if TYPE_CHECKING:
    from docagent.code.targets import Target

#: pydocstyle's conventions, as the D1 codes each leaves out (only D105 and D107 matter here)
_CONVENTION_OFF = {"numpy": {"D107"}, "google": set(), "pep257": set(), "all": set()}


@dataclass(frozen=True)
class SpecialMethods:
    """Whether magic methods and ``__init__`` of public classes count as targets, and why."""

    magic: bool = False
    init: bool = True
    #: the checkers that decided, e.g. ``pyproject.toml [tool.ruff.lint] (D105, D107)``;
    #: empty for docagent's default
    source: str = ""

    @property
    def is_default(self) -> bool:
        """True when the answer is docagent's default (no magic methods, ``__init__`` counted)."""
        return not self.magic and self.init

    def token(self) -> str:
        """A short tag of the answer for cache keys: ``""`` for the default."""
        if self.is_default:
            return ""
        return ("m" if self.magic else "") + ("i" if self.init else "-i")

    def describe(self) -> str:
        """One phrase for people: what counts and where that was configured."""
        what = []
        what.append("magic methods counted" if self.magic else "magic methods not counted")
        what.append("__init__ counted" if self.init else "__init__ not counted")
        return ", ".join(what) + (f" ({self.source})" if self.source else "")


DEFAULT = SpecialMethods()


def is_magic(name: str) -> bool:
    """True for a dunder name other than ``__init__`` and ``__call__`` (pydocstyle's D105)."""
    return (
        len(name) > 4
        and name.startswith("__")
        and name.endswith("__")
        and name not in ("__init__", "__call__")
    )


def _codes(value: Any) -> list[str]:
    """Rule codes from a TOML list or an ini string (comma or whitespace separated)."""
    if isinstance(value, str):
        return [c.strip().upper() for c in value.replace(",", " ").split() if c.strip()]
    if isinstance(value, list):
        return [c.strip().upper() for c in value if isinstance(c, str) and c.strip()]
    return []


# -- ruff ----------------------------------------------------------------------------------


def _ruff_enabled(options: dict[str, Any], code: str) -> bool:
    """Whether ruff's rule selection in ``options`` (one table, ``lint.`` keys merged) enables
    ``code``: selectors by increasing specificity, an ignore after a select of equal length."""
    select = options.get("select")
    chosen = _codes(select) if select is not None else ["E4", "E7", "E9", "F"]
    chosen += _codes(options.get("extend-select"))
    ignored = _codes(options.get("ignore")) + _codes(options.get("extend-ignore"))

    def specificity(selector: str) -> int:
        return 0 if selector == "ALL" else len(selector)

    def matches(selector: str) -> bool:
        return selector == "ALL" or code.startswith(selector)

    state = False
    moves = [(specificity(s), 0, True) for s in chosen if matches(s)]
    moves += [(specificity(s), 1, False) for s in ignored if matches(s)]
    for _, _, enable in sorted(moves):
        state = enable
    convention = options.get("pydocstyle", {}).get("convention")
    if state and isinstance(convention, str) and code in _CONVENTION_OFF.get(convention, set()):
        state = code in chosen  # ruff keeps a rule the convention drops only when named
    return state


def _ruff_options(table: dict[str, Any]) -> dict[str, Any]:
    """ruff's lint options: ``lint.<key>`` first, the older top-level key otherwise."""
    found = table.get("lint")
    lint: dict[str, Any] = found if isinstance(found, dict) else {}
    out: dict[str, Any] = {}
    for key in ("select", "extend-select", "ignore", "extend-ignore"):
        names = (key, key.replace("-", "_"))
        for layer in (lint, table):
            value = next((layer[n] for n in names if n in layer), None)
            if value is not None:
                out[key] = value
                break
    pydocstyle = lint.get("pydocstyle") if isinstance(lint.get("pydocstyle"), dict) else None
    if pydocstyle is None and isinstance(table.get("pydocstyle"), dict):
        pydocstyle = table["pydocstyle"]
    out["pydocstyle"] = pydocstyle or {}
    return out


def _from_ruff(root: Path) -> SpecialMethods | None:
    table: dict[str, Any] | None = None
    where = ""
    for name in (".ruff.toml", "ruff.toml"):
        found = read_pyproject(root / name, whole=True)
        if found is not None:
            table, where = found, name
            break
    if table is None:
        tool = read_pyproject(root / "pyproject.toml")
        ruff = get_key(tool, "ruff") if tool else None
        if not isinstance(ruff, dict):
            return None
        table, where = ruff, "pyproject.toml [tool.ruff]"
    options = _ruff_options(table)
    d1 = [f"D10{i}" for i in range(8)]
    if not any(_ruff_enabled(options, code) for code in d1):
        return None  # ruff does not check for missing docstrings here
    magic, init = _ruff_enabled(options, "D105"), _ruff_enabled(options, "D107")
    return SpecialMethods(magic, init, f"{where}: ruff D105 {_on(magic)}, D107 {_on(init)}")


def _on(flag: bool) -> str:
    return "on" if flag else "off"


# -- pydocstyle and flake8-docstrings --------------------------------------------------------


def _prefixed(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(s) for s in selectors if s)


def _pydocstyle_enabled(options: dict[str, Any], code: str) -> bool:
    def get(key: str) -> Any:
        return options.get(key, options.get(key.replace("-", "_")))

    if get("select") is not None:
        on = _prefixed(code, _codes(get("select")))
    elif get("ignore") is not None:
        on = not _prefixed(code, _codes(get("ignore")))
    else:
        convention = str(get("convention") or "pep257").strip().lower()
        on = code not in _CONVENTION_OFF.get(convention, set())
    if _prefixed(code, _codes(get("add-select"))):
        on = True
    if _prefixed(code, _codes(get("add-ignore"))):
        on = False
    return on


def _from_pydocstyle(root: Path) -> SpecialMethods | None:
    tool = read_pyproject(root / "pyproject.toml")
    table = get_key(tool, "pydocstyle") if tool else None
    where = "pyproject.toml [tool.pydocstyle]"
    if not isinstance(table, dict):
        table = None
        for name in ("setup.cfg", "tox.ini", ".pydocstyle", ".pydocstyle.ini", ".pydocstylerc"):
            parser = read_ini(root / name)
            if parser is not None and parser.has_section("pydocstyle"):
                table, where = dict(parser.items("pydocstyle")), f"{name} [pydocstyle]"
                break
    if table is None:
        return None
    magic, init = _pydocstyle_enabled(table, "D105"), _pydocstyle_enabled(table, "D107")
    return SpecialMethods(magic, init, f"{where}: D105 {_on(magic)}, D107 {_on(init)}")


def _flake8_enabled(options: dict[str, str], convention: str, code: str) -> bool:
    if code in _CONVENTION_OFF.get(convention, set()):
        return False
    chosen = _codes(options.get("select", "")) + _codes(options.get("extend-select", ""))
    ignored = _codes(options.get("ignore", "")) + _codes(options.get("extend-ignore", ""))
    best_on = max((len(s) for s in chosen if code.startswith(s)), default=-1)
    best_off = max((len(s) for s in ignored if code.startswith(s)), default=-1)
    if "select" in options and best_on < 0:
        return False
    return best_off < 0 or best_on > best_off


def _from_flake8(root: Path) -> SpecialMethods | None:
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        parser = read_ini(root / name)
        if parser is None or not parser.has_section("flake8"):
            continue
        options = {k.replace("_", "-"): v for k, v in parser.items("flake8")}
        convention = options.get("docstring-convention")
        if convention is None:
            continue
        convention = convention.strip().lower()
        magic = _flake8_enabled(options, convention, "D105")
        init = _flake8_enabled(options, convention, "D107")
        where = f"{name} [flake8] docstring-convention"
        return SpecialMethods(magic, init, f"{where}: D105 {_on(magic)}, D107 {_on(init)}")
    return None


# -- interrogate -----------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _from_interrogate(root: Path) -> SpecialMethods | None:
    tool = read_pyproject(root / "pyproject.toml")
    table: Any = get_key(tool, "interrogate") if tool else None
    where = "pyproject.toml [tool.interrogate]"
    if not isinstance(table, dict):
        parser = read_ini(root / "setup.cfg")
        if parser is None or not parser.has_section("tool:interrogate"):
            return None
        table, where = dict(parser.items("tool:interrogate")), "setup.cfg [tool:interrogate]"

    def option(key: str) -> bool:
        return _truthy(table.get(key, table.get(key.replace("-", "_"), False)))

    magic, init = not option("ignore-magic"), not option("ignore-init-method")
    what = f"ignore-magic {_on(not magic)}, ignore-init-method {_on(not init)}"
    return SpecialMethods(magic, init, f"{where}: {what}")


def apply_special_methods(targets: list[Target], special: SpecialMethods) -> None:
    """Set ``public`` of the magic methods and ``__init__`` of public classes per ``special``.

    Extraction marks them as docagent's default does; this is a no-op for :data:`DEFAULT`.
    """
    if special.is_default:
        return
    by_qualname = {t.qualname: t for t in targets}
    for t in targets:
        if t.kind != "method":
            continue
        if t.name == "__init__":
            wanted = special.init
        elif is_magic(t.name):
            wanted = special.magic
        else:
            continue
        owner = by_qualname.get(t.qualname.rsplit(".", 1)[0])
        t.public = wanted and owner is not None and owner.public


def configured_special_methods(root: str | Path) -> SpecialMethods:
    """What the repository at ``root`` asks for; :data:`DEFAULT` when no checker decides.

    A method counts when any configured checker requires its docstring.
    """
    base = Path(root)
    found = [
        d
        for d in (
            _from_ruff(base),
            _from_pydocstyle(base),
            _from_flake8(base),
            _from_interrogate(base),
        )
        if d is not None
    ]
    if not found:
        return DEFAULT
    return SpecialMethods(
        magic=any(d.magic for d in found),
        init=any(d.init for d in found),
        source="; ".join(d.source for d in found),
    )


__all__ = [
    "DEFAULT",
    "SpecialMethods",
    "apply_special_methods",
    "configured_special_methods",
    "is_magic",
]
