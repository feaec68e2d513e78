#!/usr/bin/env python3
"""Re-export the addons' translatable terms from Odoo and merge them into ``i18n/fr.po``.

    .venv/bin/python scripts/i18n_update.py [--odoo-home DIR] [--db NAME] [--keep-db]
                                            [--addons a,b] [--check]

House rule: UI strings are English in code, with a complete French translation in each
addon's ``i18n/fr.po``. Run this after changing a string (Python ``_()``, field label or help,
selection, view, data record); then translate the new entries (tests/test_i18n.py fails until
every msgstr is filled).

1. Finds Odoo 17 and PostgreSQL exactly as scripts/odoo_tests.py does (--odoo-home, $ODOO_HOME,
   an importable ``odoo``, /opt/odoo17; the server of $PGHOST/$PGPORT/$PGUSER/$PGPASSWORD, else
   a throwaway cluster). It installs nothing into the virtualenv and downloads nothing: Odoo's
   requirements must already be there (scripts/odoo_tests.py installs them).
2. In a fresh database (default ``duret_i18n_<date>_<time>``, dropped at the end unless
   --keep-db): installs the addons and the apps their bridges need, without demo data, with
   French loaded; then one French export per addon (``--i18n-export --modules=<addon>``).
3. For each addon:
   - ``i18n/<addon>.pot``: the export without translations, rewritten only when its terms
     changed;
   - ``i18n/fr.po``: the exported entries (order, references, python-format flags), with the
     msgstr (and fuzzy flag) of the existing fr.po where it has the msgid. A new msgid takes
     the translation Odoo itself already has for it (e.g. a model name translated by Odoo's
     own modules), else an empty msgstr; msgids no longer exported are dropped.
   Prints per addon the entries kept, added (and how many still need a translation), dropped.

--check writes nothing and exits 1 when a file would change (for CI). All Odoo output goes to
var/odoo-i18n.log. Exits 1 when Odoo or PostgreSQL cannot be run or an Odoo run fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import odoo_tests  # noqa: E402 - sibling script, not a package
from odoo_tests import (  # noqa: E402
    StageError,
    depends_of,
    drop_database,
    find_odoo_home,
    free_port,
    odoo_command,
    start_cluster,
    usable_server,
)
from static_checks import find_addons  # noqa: E402

REPO = odoo_tests.REPO
VAR = REPO / "var"
LOG = VAR / "odoo-i18n.log"
CONF = VAR / "odoo-i18n.conf"
LANG = "fr_FR"
PO_NAME = "fr.po"
STEP_TIMEOUT = 900
WRAP = 78  # Odoo's exports wrap at 78 columns too
FR_METADATA = {
    "Project-Id-Version": "Odoo Server 17.0",
    "Report-Msgid-Bugs-To": "",
    "Last-Translator": "",
    "Language-Team": "French",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "",
    "Language": "fr",
    "Plural-Forms": "nplurals=2; plural=n > 1;",
}
# Lines of an export that change on every run and say nothing about the terms.
DATE_LINE_RE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.M)
LOG_LEVEL_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ", re.M)


# --------------------------------------------------------------------------- merge (pure)


@dataclass
class MergeReport:
    kept: int = 0
    added: int = 0
    untranslated: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        todo = f" ({self.untranslated} to translate)" if self.untranslated else ""
        return f"{self.kept} kept, {self.added} added{todo}, {self.dropped} dropped"


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def merge(
    exported: polib.POFile, existing: polib.POFile | None
) -> tuple[polib.POFile, MergeReport]:
    """The new fr.po: ``exported``'s entries with ``existing``'s translations.

    ``exported`` is Odoo's French export of one addon (its msgstr are the translations the
    database had, used only for msgids ``existing`` lacks). Obsolete entries of ``existing``
    (``#~``) count as absent. Neither argument is modified.
    """
    report = MergeReport()
    previous = {_key(e): e for e in existing or [] if not e.obsolete}
    result = polib.POFile(wrapwidth=WRAP)
    result.header = exported.header
    result.metadata = {
        **FR_METADATA,
        **(existing.metadata if existing is not None else {}),
        "POT-Creation-Date": exported.metadata.get("POT-Creation-Date", ""),
    }
    for entry in exported:
        merged = polib.POEntry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgstr=entry.msgstr,
            occurrences=list(entry.occurrences),
            comment=entry.comment,
            tcomment=entry.tcomment,
            flags=[f for f in entry.flags if f != "fuzzy"],
        )
        old = previous.pop(_key(entry), None)
        if old is not None:
            report.kept += 1
            merged.msgstr = old.msgstr
            if "fuzzy" in old.flags:
                merged.flags.append("fuzzy")
        else:
            report.added += 1
            report.untranslated += not merged.msgstr
        result.append(merged)
    report.dropped = len(previous)
    if existing is not None and not report.added and not report.dropped:
        # Same terms: keep the dates, so that a run without changes leaves the file as it is.
        for name in ("POT-Creation-Date", "PO-Revision-Date"):
            if name in existing.metadata:
                result.metadata[name] = existing.metadata[name]
    return result, report


def same_terms(old_text: str, new_text: str) -> bool:
    """Whether two exports differ only by their dates."""
    return DATE_LINE_RE.sub("", old_text) == DATE_LINE_RE.sub("", new_text)


# --------------------------------------------------------------------------- Odoo runs


def write_config(home: Path, pg: odoo_tests.Postgres, db: str) -> None:
    odoo_tests.write_config(
        home,
        pg,
        db,
        path=CONF,
        header="; Written by scripts/i18n_update.py for its export database; regenerated each "
        "run.\n",
    )


def run_odoo(title: str, cmd: list[str], log) -> None:
    """Run one Odoo command, its output appended to the log; StageError when it fails."""
    log.write(f"\n===== {title}\n===== $ {' '.join(cmd)}\n")
    log.flush()
    start = log.tell()
    try:
        proc = subprocess.run(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, timeout=STEP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise StageError(f"{title}: no end after {STEP_TIMEOUT}s (see {LOG})")
    log.flush()
    with LOG.open(encoding="utf-8", errors="replace") as read:
        read.seek(start)
        errors = LOG_LEVEL_RE.findall(read.read())
    if proc.returncode or errors:
        raise StageError(
            f"{title}: exit status {proc.returncode}, {len(errors)} ERROR/CRITICAL line(s) "
            f"(see {LOG.relative_to(REPO)})"
        )


def export_terms(home: Path, db: str, addons: list[Path]) -> dict[str, str]:
    """{addon: Odoo's French export of its terms} from a fresh database.

    One export per addon, as ``--modules=<addon>``: an export of several modules at once
    gives a record with xmlids in several of them (``model_res_company`` of every bridge)
    to one module only.
    """
    names = [a.name for a in addons]
    # Bridges (duret_sms_purchase, ...) are auto_install: install the apps they bridge to.
    extra = sorted({dep for a in addons for dep in depends_of(a)} - set(names))
    odoo = [*odoo_command(home), "-c", str(CONF), "-d", db, f"--http-port={free_port()}"]
    exports = {}
    with LOG.open("w", encoding="utf-8") as log:
        run_odoo(
            f"install {', '.join(names + extra)} with French",
            [*odoo, "-i", ",".join(names + extra), f"--load-language={LANG}",
             "--without-demo=all", "--stop-after-init"],
            log,
        )  # fmt: skip
        for name in names:
            out = VAR / f"odoo-i18n-{name}.po"
            out.unlink(missing_ok=True)
            run_odoo(
                f"export the terms of {name}",
                [*odoo, f"--i18n-export={out}", f"--language={LANG}", f"--modules={name}",
                 "--stop-after-init"],
                log,
            )  # fmt: skip
            exports[name] = out.read_text(encoding="utf-8")
            out.unlink()
    return exports


def template(exported: polib.POFile) -> polib.POFile:
    """The .pot of an addon: its French export without the translations (what Odoo's
    ``--i18n-export=<addon>.pot`` writes, without a second Odoo run)."""
    pot = polib.POFile(wrapwidth=WRAP)
    pot.header = exported.header
    pot.metadata = {k: v for k, v in exported.metadata.items() if k != "Language"}
    for entry in exported:
        pot.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgctxt=entry.msgctxt,
                msgstr="",
                occurrences=list(entry.occurrences),
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=[f for f in entry.flags if f != "fuzzy"],
            )
        )
    return pot


# --------------------------------------------------------------------------- files


def update_addon(addon: Path, export: str, check: bool) -> tuple[MergeReport, list[str]]:
    """Merge one addon's export into its files; the paths that changed (or would, with check)."""
    exported = polib.pofile(export, wrapwidth=WRAP)
    existing_path = addon / "i18n" / PO_NAME
    existing = polib.pofile(str(existing_path), wrapwidth=WRAP) if existing_path.is_file() else None
    merged, report = merge(exported, existing)
    changed = []
    for path, text in (
        (addon / "i18n" / f"{addon.name}.pot", str(template(exported))),
        (existing_path, str(merged)),
    ):
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        # merge() keeps fr.po's dates when its terms did not change; the .pot's date moves on
        # every export, so it is compared without it.
        if old is None or not same_terms(old, text) or (path == existing_path and old != text):
            changed.append(str(path.relative_to(REPO)))
            if not check:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return report, changed


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--odoo-home", default=os.environ.get("ODOO_HOME") or None)
    parser.add_argument("--db", help="database name (default: duret_i18n_<date>_<time>)")
    parser.add_argument("--keep-db", action="store_true", help="keep the export database")
    parser.add_argument("--addons", help="comma-separated addons (default: all of the repo)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)

    addons = find_addons(REPO)
    if args.addons:
        wanted = set(args.addons.split(","))
        unknown = wanted - {a.name for a in addons}
        if unknown:
            parser.error(f"not addons of this repository: {', '.join(sorted(unknown))}")
        addons = [a for a in addons if a.name in wanted]
    try:
        home, origin = find_odoo_home(args.odoo_home)
    except StageError as err:
        print(f"i18n update: FAILED ({err})")
        return 1
    if home is None:
        print("i18n update: FAILED (Odoo 17 not found: set ODOO_HOME or use --odoo-home)")
        return 1
    db = args.db or time.strftime("duret_i18n_%Y%m%d_%H%M%S")
    t0 = time.time()
    pg = None
    try:
        pg, why = usable_server()
        if pg is None:
            print(f"  no usable PostgreSQL ({why}): starting a throwaway cluster", flush=True)
            pg = start_cluster()
        print(f"  Odoo 17 at {home} ({origin}); PostgreSQL: {pg.describe()}; database {db}")
        print(
            f"  install + one export per addon (about a minute); log: {LOG.relative_to(REPO)}",
            flush=True,
        )
        drop_database(pg, db)
        write_config(home, pg, db)
        exports = export_terms(home, db, addons)
    except StageError as err:
        print(f"  {err}")
        print("i18n update: FAILED (could not export the terms)")
        return 1
    finally:
        if pg is not None and not args.keep_db:
            odoo_tests.discard(pg, db)

    stale = []
    for addon in addons:
        report, changed = update_addon(addon, exports[addon.name], args.check)
        stale += changed
        print(f"  {addon.name}: {report}")
    if args.keep_db:
        print(f"  database kept: {db} (config: {CONF.relative_to(REPO)})")
    verb = "would change" if args.check else "written"
    print(f"i18n update: {len(stale)} file(s) {verb}: {', '.join(stale) or 'none'}"
          f" ({time.time() - t0:.0f}s)")  # fmt: skip
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
