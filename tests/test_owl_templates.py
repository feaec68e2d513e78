"""The addons' OWL templates (static/src/**/*.xml) use JavaScript expressions: ``!x``, never
Python's ``not x``. OWL does not know ``not``: such a template compiles to code that throws
when rendered (a ``t-if="not ..."`` once crashed a production screen). ``and``/``or`` are fine:
OWL translates them."""

import re
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
# Attributes holding an expression: t-if, t-elif, t-esc, t-out, t-value, t-att-*, t-foreach...
EXPRESSION_ATTR = re.compile(r"^t-(if|elif|esc|out|raw|value|att-.+|att|foreach|props|key)$")
STRING_LITERAL = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`(?:\\.|[^`\\])*`")
NOT_WORD = re.compile(r"(?<![\w.$])not(?![\w$])")


def python_not_in(expression):
    return bool(NOT_WORD.search(STRING_LITERAL.sub("''", expression)))


def owl_templates():
    """(file, element) of every OWL template: static/src/**/*.xml, and the kanban views'
    ``<templates>`` (compiled by OWL too; the rest of a view is evaluated as Python)."""
    for path in sorted(REPO.glob("*/static/src/**/*.xml")):
        yield path, etree.parse(str(path)).getroot()
    for path in sorted(REPO.glob("*/views/*.xml")) + sorted(REPO.glob("*/wizards/*.xml")):
        for templates in etree.parse(str(path)).iter("templates"):
            yield path, templates


def test_the_checker_finds_python_not():
    assert python_not_in("not state.active")
    assert python_not_in("a and not b")
    assert python_not_in("(not a)")
    assert not python_not_in("!state.active")
    assert not python_not_in("notification.duret_reason")
    assert not python_not_in("record.not_before")
    assert not python_not_in("'not here' + x")


def test_no_python_not_in_owl_templates():
    templates = list(owl_templates())
    assert len(templates) > 5, "hardly any OWL template found: the globs are wrong"
    found = []
    for path, root in templates:
        for element in root.iter(etree.Element):
            for name, value in element.attrib.items():
                if EXPRESSION_ATTR.match(name) and python_not_in(value):
                    found.append(f"{path.relative_to(REPO)}:{element.sourceline} {name}={value!r}")
    assert not found, "OWL has no `not` (use `!`):\n" + "\n".join(found)
