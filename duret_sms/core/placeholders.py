"""The placeholders staff may write in our texts: ``{{ expression }}`` with a small, fixed grammar.

Why our own checker and evaluator rather than Odoo's: Odoo 17 evaluates every ``{{ }}`` of a
template with ``safe_eval`` and the full ORM (``object.env[...].sudo().write(...)`` works), and
its only protection is all-or-nothing: *Restrict Template Rendering* keeps users outside
"Mail Template Editor" from writing any placeholder at all. Our texts are edited by SMS Officers
(their wording is a feature) and rendered by webhooks and crons that run as superuser, so we
need the middle ground Odoo 17 lacks: placeholders that only *read fields*.

Accepted: the names the caller provides (``object``, and for some texts ``company_name``,
``day``...), field paths on them (``object.partner_id.name``), text and number literals, ``+``,
``and``, ``or``, ``not`` and ``a if condition else b``. Refused: calls, subscripts, ``%``,
comparisons, lambdas, comprehensions, names starting with ``_``, any other name. The expression
is checked with Python's ``ast`` and evaluated by walking that tree here: ``eval`` or
``safe_eval`` never sees it; attribute access goes through a callback the Odoo side restricts to
fields a plain user may read.
"""

import ast
import re

# Odoo's own pattern for inline templates (odoo.tools.rendering_tools.INLINE_TEMPLATE_REGEX).
INLINE_TEMPLATE_REGEX = re.compile(r"\{\{(.+?)\}\}")

# Reasons a placeholder is refused (the Odoo side words them for staff).
SYNTAX = "syntax"
CALL = "call"
NAME = "name"
PRIVATE = "private"
CONSTRUCT = "construct"

_ALLOWED_NODES = (
    ast.Expression,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Constant,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.IfExp,
    ast.BinOp,
    ast.Add,
    ast.UnaryOp,
    ast.Not,
)


class PlaceholderError(ValueError):
    """A refused ``{{ expression }}``: ``expression`` as written, ``reason`` one of the
    constants above, ``detail`` the offending name or construct."""

    def __init__(self, expression, reason, detail=""):
        super().__init__(f"{expression!r}: {reason} {detail}".strip())
        self.expression = expression
        self.reason = reason
        self.detail = detail


def expressions(text):
    """The ``{{ }}`` expressions of ``text``, stripped, in order."""
    return [match.group(1).strip() for match in INLINE_TEMPLATE_REGEX.finditer(text or "")]


def parse(expression, names):
    """The checked syntax tree of ``expression``; raises PlaceholderError when refused.

    ``names``: the variable names allowed (``object`` and the ones the text provides).
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError) as error:
        raise PlaceholderError(expression, SYNTAX) from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            raise PlaceholderError(expression, CALL, ast.unparse(node.func))
        if not isinstance(node, _ALLOWED_NODES):
            raise PlaceholderError(expression, CONSTRUCT, type(node).__name__)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise PlaceholderError(expression, PRIVATE, node.attr)
        if isinstance(node, ast.Name) and node.id not in names:
            raise PlaceholderError(expression, NAME, node.id)
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float):
            if node.value is not None and not isinstance(node.value, bool):
                raise PlaceholderError(expression, CONSTRUCT, repr(node.value))
    return tree


def field_paths(tree):
    """[(name, [attr, ...])]: every attribute chain of a parsed expression, e.g.
    ``object.partner_id.name`` -> ("object", ["partner_id", "name"]) (and its prefix)."""
    paths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = []
            inner = node
            while isinstance(inner, ast.Attribute):
                chain.insert(0, inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                paths.append((inner.id, chain))
    return paths


def evaluate(tree, variables, get_attribute):
    """The value of a parsed expression. ``get_attribute(value, name)`` resolves ``a.b``
    (the Odoo side allows fields only)."""

    def run(node):
        if isinstance(node, ast.Expression):
            return run(node.body)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return variables[node.id]
        if isinstance(node, ast.Attribute):
            return get_attribute(run(node.value), node.attr)
        if isinstance(node, ast.BoolOp):
            value = None
            for operand in node.values:
                value = run(operand)
                if isinstance(node.op, ast.And) and not value:
                    return value
                if isinstance(node.op, ast.Or) and value:
                    return value
            return value
        if isinstance(node, ast.IfExp):
            return run(node.body) if run(node.test) else run(node.orelse)
        if isinstance(node, ast.UnaryOp):
            return not run(node.operand)
        if isinstance(node, ast.BinOp):
            return run(node.left) + run(node.right)
        raise PlaceholderError(ast.unparse(node), CONSTRUCT, type(node).__name__)

    return run(tree)


def render(text, variables, get_attribute):
    """``text`` with each ``{{ expression }}`` replaced by its value, the way Odoo's inline
    templates do (``str(value)``, nothing for a false value). Raises PlaceholderError."""
    names = set(variables)
    parts = []
    position = 0
    for match in INLINE_TEMPLATE_REGEX.finditer(text or ""):
        parts.append(text[position : match.start()])
        value = evaluate(parse(match.group(1), names), variables, get_attribute)
        if value:
            parts.append(str(value))
        position = match.end()
    parts.append((text or "")[position:])
    return "".join(parts)
