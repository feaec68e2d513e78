"""Every addon ships a complete French translation (house rule: English in code, French in fr.po).

Plain pytest, no Odoo: for every top-level addon (a directory with ``__manifest__.py``):

- ``i18n/fr.po`` exists and parses, with the French header (Language, Plural-Forms);
- no entry is untranslated (an empty msgstr, or a fuzzy one) and none is obsolete;
- msgid and msgstr carry the same placeholders (``%s``, ``%(x)s``, ``%d``, ``{{ ... }}``,
  ``{x}``): a lost or renamed one breaks the formatting at run time;
- every literal passed to ``_()`` / ``_lt()`` in the addon's Python files is a msgid;
- every field label (``string``), help and inline selection label declared in the addon's
  ``models/`` and ``wizards/`` is a msgid.

The last two catch a string added in code without running ``scripts/i18n_update.py``
(which re-exports the terms from Odoo and merges them into fr.po).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[1]
ADDONS = sorted(
    p
    for p in REPO.iterdir()
    if p.is_dir() and not p.name.startswith(".") and (p / "__manifest__.py").is_file()
)
SKIP_DIRS = {"__pycache__", "static", "node_modules"}

# printf-style (no space flag: "100 % des" is French, not a placeholder), Jinja/inline_template
# expressions, and str.format fields.
PLACEHOLDER_RE = re.compile(
    r"%(?:\([^)]+\))?[#0+-]?\d*(?:\.\d+)?[sdrfi]"
    r"|\{\{.*?\}\}"
    r"|(?<!\{)\{\w*\}(?!\})",
    re.S,
)
# Position of the label among the positional arguments, when it is not the first one.
LABEL_POSITION = {"Many2one": 1, "One2many": 2, "Many2many": 4, "Selection": 1, "Reference": 1}


def _po(addon: Path) -> polib.POFile:
    path = addon / "i18n" / "fr.po"
    assert path.is_file(), f"{path.relative_to(REPO)} is missing (run scripts/i18n_update.py)"
    return polib.pofile(str(path))


def _msgids(addon: Path) -> set[str]:
    return {entry.msgid for entry in _po(addon) if not entry.obsolete}


def _python_files(addon: Path, subdirs: tuple[str, ...] = ()) -> list[Path]:
    roots = [addon / d for d in subdirs] if subdirs else [addon]
    return sorted(
        path
        for root in roots
        if root.is_dir()
        for path in root.rglob("*.py")
        if not SKIP_DIRS.intersection(path.relative_to(addon).parts)
    )


def _location(addon: Path, path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO)}:{node.lineno}"


def _str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def translated_literals(addon: Path) -> list[tuple[str, str]]:
    """(literal, file:line) of every ``_("...")`` / ``_lt("...")`` call of the addon."""
    found = []
    for path in _python_files(addon):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "_lt")
                and node.args
                and _str(node.args[0]) is not None
            ):
                found.append((_str(node.args[0]), _location(addon, path, node)))
    return found


def _module_lists(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level ``NAME = [...]`` assignments, to follow ``fields.Selection(NAME, ...)``."""
    lists = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    lists[target.id] = node.value
    return lists


def _selection_labels(node: ast.AST | None, lists: dict[str, ast.AST]) -> list[str]:
    if isinstance(node, ast.Name):
        node = lists.get(node.id)
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    return [
        _str(item.elts[1])
        for item in node.elts
        if isinstance(item, ast.Tuple) and len(item.elts) == 2 and _str(item.elts[1]) is not None
    ]


def field_terms(addon: Path) -> list[tuple[str, str]]:
    """(term, file:line) of the labels, helps and selection labels of the addon's fields."""
    found = []
    for path in _python_files(addon, ("models", "wizards")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        lists = _module_lists(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "fields"
            ):
                continue
            kind = node.func.attr
            keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            position = LABEL_POSITION.get(kind, 0)
            terms = [
                _str(keywords.get("string"))
                or (_str(node.args[position]) if len(node.args) > position else None),
                _str(keywords.get("help")),
            ]
            if kind == "Selection":
                selection = keywords.get("selection") or (node.args[0] if node.args else None)
                terms += _selection_labels(selection, lists)
                terms += _selection_labels(keywords.get("selection_add"), lists)
            where = _location(addon, path, node)
            found += [(term, where) for term in terms if term]
    return found


def placeholders(text: str) -> set[str]:
    return {re.sub(r"\s+", " ", p) for p in PLACEHOLDER_RE.findall(text)}


@pytest.fixture(params=ADDONS, ids=[a.name for a in ADDONS])
def addon(request) -> Path:
    return request.param


def test_addons_found():
    assert {"duret_sms"} <= {a.name for a in ADDONS}


def test_fr_po_parses_with_french_header(addon):
    po = _po(addon)
    pot = addon / "i18n" / f"{addon.name}.pot"
    # An addon with nothing translatable (duret_sms_sales_team only links two groups) has an
    # empty export: its fr.po is the header alone.
    if not (pot.is_file() and len(polib.pofile(str(pot))) == 0):
        assert len(po) > 0, "fr.po has no entry"
    assert po.metadata.get("Language") == "fr"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=n > 1;"


def test_every_entry_is_translated(addon):
    po = _po(addon)
    untranslated = [
        e.msgid[:80] for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)
    ]
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy: {untranslated}"
    obsolete = [e.msgid[:80] for e in po.obsolete_entries()]
    assert not obsolete, f"obsolete entries (run scripts/i18n_update.py): {obsolete}"


def test_placeholders_are_kept(addon):
    wrong = [
        f"{e.msgid[:60]!r}: {sorted(placeholders(e.msgid))} != {sorted(placeholders(e.msgstr))}"
        for e in _po(addon)
        if e.msgstr and placeholders(e.msgid) != placeholders(e.msgstr)
    ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_code_strings_are_in_fr_po(addon):
    msgids = _msgids(addon)
    missing = [
        f"{where}: {text!r}" for text, where in translated_literals(addon) if text not in msgids
    ]
    assert not missing, "not in fr.po (run scripts/i18n_update.py):\n" + "\n".join(missing)


def test_field_terms_are_in_fr_po(addon):
    msgids = _msgids(addon)
    missing = [f"{where}: {term!r}" for term, where in field_terms(addon) if term not in msgids]
    assert not missing, "not in fr.po (run scripts/i18n_update.py):\n" + "\n".join(missing)


def test_the_ast_scan_sees_strings():
    """Guard against a scan that silently finds nothing (the two tests above would pass)."""
    main = REPO / "duret_sms"
    assert len(translated_literals(main)) > 50
    terms = {term for term, _where in field_terms(main)}
    assert {"SMS Provider", "Twilio Account SID", "Opt-out (STOP)", "Scheduled"} <= terms


def test_fr_po_entries_are_in_the_pot(addon):
    """Odoo merges fr.po with <addon>.pot when it loads it (odoo.tools.translate.PoFileReader):
    an entry whose msgid is not in the pot becomes obsolete and is silently not loaded, so a
    translation appended to fr.po without refreshing the pot never shows."""
    pot_path = addon / "i18n" / f"{addon.name}.pot"
    if not pot_path.is_file():
        pytest.skip("no pot file: Odoo loads fr.po alone")
    pot = {e.msgid for e in polib.pofile(str(pot_path)) if not e.obsolete}
    missing = sorted(e.msgid[:80] for e in _po(addon) if not e.obsolete and e.msgid not in pot)
    assert not missing, (
        f"{len(missing)} fr.po entries not in {pot_path.name} (Odoo ignores them; run "
        f"scripts/i18n_update.py): {missing[:10]}"
    )
