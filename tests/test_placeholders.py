"""duret_sms.core.placeholders: what staff may write between {{ }} (issue 17 #1)."""

import pytest

from duret_sms.core import placeholders as ph

NAMES = {"object", "day"}


class Record:
    """A stand-in for a record: attributes are its fields."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def field_only(value, name):
    if not isinstance(value, Record) or name not in value.__dict__:
        raise ph.PlaceholderError(name, "field", name)
    return value.__dict__[name]


@pytest.mark.parametrize(
    ("expression", "reason", "detail"),
    [
        ("object.env.ref('base.group_system').sudo().write({})", ph.CALL, None),
        ("format_date(object.date)", ph.CALL, "format_date"),
        ("'%.2f' % object.amount", ph.CONSTRUCT, "Mod"),
        ("object.name[0]", ph.CONSTRUCT, "Subscript"),
        ("object.__class__", ph.PRIVATE, "__class__"),
        ("object._fields", ph.PRIVATE, "_fields"),
        ("user.name", ph.NAME, "user"),
        ("[x for x in object.ids]", ph.CONSTRUCT, "ListComp"),
        ("lambda: 1", ph.CONSTRUCT, "Lambda"),
        ("object.a == 1", ph.CONSTRUCT, "Compare"),
        ("object.", ph.SYNTAX, ""),
    ],
)
def test_refused(expression, reason, detail):
    with pytest.raises(ph.PlaceholderError) as caught:
        ph.parse(expression, NAMES)
    assert caught.value.reason == reason
    if detail is not None:
        assert detail in caught.value.detail


def test_mod_is_refused_as_an_operator():
    with pytest.raises(ph.PlaceholderError):
        ph.parse("object.a % 2", NAMES)


def test_render_like_odoo():
    company = Record(name="Duret", phone="")
    record = Record(name="Camille", address="Lyon", company_id=company)
    text = (
        "{{ object.company_id.name }} : {{ object.name }}"
        "{{ object.address and (', ' + object.address) or '' }}"
        "{{ ('. Tel ' + object.company_id.phone) if object.company_id.phone else '' }}"
        "{{ not object.company_id.phone }} {{ day }}{{ '' }}"
    )
    rendered = ph.render(text, {"object": record, "day": "mardi"}, field_only)
    assert rendered == "Duret : Camille, LyonTrue mardi"


def test_attribute_goes_through_the_callback():
    record = Record(name="x")
    with pytest.raises(ph.PlaceholderError):
        ph.render("{{ object.secret }}", {"object": record}, field_only)


def test_field_paths():
    tree = ph.parse("object.partner_id.name or object.name", NAMES)
    assert ("object", ["partner_id", "name"]) in ph.field_paths(tree)
    assert ("object", ["name"]) in ph.field_paths(tree)
    assert ph.expressions("a {{ x }} b {{y.z}}") == ["x", "y.z"]
