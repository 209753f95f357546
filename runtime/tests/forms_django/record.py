"""Record Django 6.1's ModelForm behaviour for runtime/tests/forms.rs.

Run with the oracle's virtualenv (Django 6.1.3):

    ~/.cache/django-oracle-venv/bin/python runtime/tests/forms_django/record.py

It defines real Django models (every djinn field type), builds true
ModelForms over them and writes runtime/tests/forms_django/cases.json:

- "specs": each model field as djinn's FormSpec/FieldSpec would describe it
  (label, help text, required, kind, default), derived from the model field
  the way the compiler derives it;
- "choices": the run-time choices of the relations (pk text, str());
- "render": forms unbound, with initial values, bound with valid, invalid
  and empty data, with added errors; each with str(form), as_p, as_table,
  as_ul, the errors in every format and, per field, the widget, label_tag,
  legend_tag, as_hidden, errors and value;
- "validation": one-field forms bound with one input each, with the error
  messages or the cleaned value.

Values are encoded as {"int": 5}, {"text": "x"}, {"decimal": "1.50"},
{"date": "2024-03-05"}, {"datetime": "2024-03-05T14:30:00"} (UTC wall
clock), {"uuid": "…"}, {"json": …}, {"bool": true}, {"float": 1.5} or null.
"""

import datetime
import decimal
import json
import os
import uuid

import sys
import tempfile

import django
from django.conf import settings

# A real (empty) app package "blog", so that the models below are installed
# and their reverse relations exist.
APP_DIR = tempfile.mkdtemp()
os.makedirs(os.path.join(APP_DIR, "blog"))
open(os.path.join(APP_DIR, "blog", "__init__.py"), "w").close()
sys.path.insert(0, APP_DIR)

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "blog"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
    TIME_ZONE="UTC",
    LANGUAGE_CODE="en-us",
)
django.setup()

from django import forms  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.forms.utils import pretty_name  # noqa: E402
from django.utils.text import capfirst  # noqa: E402

# djinn's `int` is 32 bits on both databases, as on PostgreSQL: use the
# backend-independent ranges rather than SQLite's 64-bit ones.
from django.db.backends.base.operations import BaseDatabaseOperations  # noqa: E402

connection.ops.integer_field_range = (
    lambda internal_type: BaseDatabaseOperations.integer_field_ranges[internal_type]
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")


class Author(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name

    class Meta:
        app_label = "blog"


class Tag(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name

    class Meta:
        app_label = "blog"


STATUS = [("draft", "Draft"), ("published", "Published <now>")]
SIZES = [("s", "Small"), ("m", "Medium"), ("xl", "Extra & large")]


class Item(models.Model):
    title = models.CharField(max_length=200)
    short = models.CharField(max_length=1, blank=True)
    slug = models.SlugField(help_text="The last part of the post's URL.")
    body = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True, verbose_name="web site")
    count = models.IntegerField()
    big = models.BigIntegerField(null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    price = models.DecimalField(
        max_digits=6, decimal_places=2, verbose_name="price (€) <net>"
    )
    tiny = models.DecimalField(max_digits=1, decimal_places=0, null=True, blank=True)
    fine = models.DecimalField(max_digits=9, decimal_places=7, null=True, blank=True)
    active = models.BooleanField(default=True, verbose_name="is it live?")
    day = models.DateField(null=True, blank=True)
    moment = models.DateTimeField(help_text="Use <b>UTC</b> & 24h time.")
    ident = models.UUIDField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=9, choices=STATUS, default="draft")
    size = models.CharField(max_length=2, choices=SIZES, blank=True)
    level = models.CharField(max_length=2, choices=SIZES)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(
        Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True)
    reviewers = models.ManyToManyField(
        Author, related_name="reviewed", help_text="Who <em>checked</em> it."
    )
    owner = models.ForeignKey(
        Author, on_delete=models.CASCADE, default=1, related_name="owned"
    )

    class Meta:
        app_label = "blog"
        verbose_name = "blog post"


with connection.schema_editor() as editor:
    for model in (Author, Tag, Item):
        editor.create_model(model)

ANN = Author.objects.create(name="Ann <b>")
BOB = Author.objects.create(name="Bob & Co")
RUST = Tag.objects.create(name="rust")
WEB = Tag.objects.create(name="web's")

ALL_FIELDS = [
    f.name
    for f in Item._meta.get_fields()
    if getattr(f, "editable", False) and not f.auto_created and f.concrete or f.many_to_many
]


def djinn_kind(field):
    """The FieldKind djinn's compiler derives from a model field."""
    if field.many_to_many:
        return {"type": "ManyToMany"}
    if field.many_to_one:
        return {"type": "ForeignKey"}
    if field.choices:
        return {"type": "Choice", "choices": [[k, v] for k, v in field.choices]}
    if isinstance(field, models.SlugField):
        return {"type": "Slug", "max_length": field.max_length}
    if isinstance(field, models.EmailField):
        return {"type": "Email", "max_length": field.max_length}
    if isinstance(field, models.URLField):
        return {"type": "Url", "max_length": field.max_length}
    if isinstance(field, models.TextField):
        return {"type": "Textarea"}
    if isinstance(field, models.CharField):
        return {"type": "Text", "max_length": field.max_length}
    if isinstance(field, (models.IntegerField,)):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return {"type": "Integer", "min": low, "max": high}
    if isinstance(field, models.FloatField):
        return {"type": "Float"}
    if isinstance(field, models.DecimalField):
        return {
            "type": "Decimal",
            "max_digits": field.max_digits,
            "decimal_places": field.decimal_places,
        }
    if isinstance(field, models.BooleanField):
        return {"type": "Boolean"}
    if isinstance(field, models.DateTimeField):
        return {"type": "DateTime"}
    if isinstance(field, models.DateField):
        return {"type": "Date"}
    if isinstance(field, models.UUIDField):
        return {"type": "Uuid"}
    if isinstance(field, models.JSONField):
        return {"type": "Json"}
    raise TypeError(field)


def encode(value, field=None):
    """A Python value as the tagged JSON the Rust test turns into a db::Value."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return {"int": value.pk}
    if isinstance(value, models.QuerySet):
        return sorted((encode(v) for v in value), key=lambda v: v["int"])
    if isinstance(value, list) and (field is None or field.many_to_many):
        return [encode(v) for v in value]
    if isinstance(field, models.JSONField):
        return {"json": value}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, decimal.Decimal):
        places = decimal.Decimal(1).scaleb(-field.decimal_places)
        text = format(value.quantize(places), "f")
        if value == 0:
            text = text.lstrip("-")
        return {"decimal": text}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, str):
        return {"text": value}
    raise TypeError(repr(value))


def spec_of(name):
    field = Item._meta.get_field(name)
    spec = {
        "name": name,
        "label": capfirst(field.verbose_name),
        "help_text": str(field.help_text),
        "required": False if isinstance(field, models.BooleanField) else not field.blank,
        "kind": djinn_kind(field),
    }
    if field.has_default():
        spec["default"] = encode(field.get_default(), field)
    return spec


def form_class(names):
    meta = type("Meta", (), {"model": Item, "fields": names})
    return type("ItemForm", (forms.ModelForm,), {"Meta": meta})


def py_value(value):
    """What BoundField.value() and friends give, as JSON for the Rust test."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [py_value(v) for v in value]
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.replace(tzinfo=None).isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, models.Model):
        return {"int": value.pk}
    if isinstance(value, str):
        return {"text": str(value)}
    if isinstance(value, dict):
        return {"json": value}
    raise TypeError(repr(value))


def record_form(form, names):
    out = {
        "div": str(form),
        "as_div": form.as_div(),
        "p": form.as_p(),
        "table": form.as_table(),
        "ul": form.as_ul(),
        "errors": str(form.errors),
        "errors_text": form.errors.as_text(),
        "errors_ul": form.errors.as_ul(),
        "errors_django_json": form.errors.as_json(),
        "non_field_errors": str(form.non_field_errors()),
        "non_field_errors_text": form.non_field_errors().as_text(),
        "is_bound": form.is_bound,
        "fields": {},
    }
    for name in names:
        bf = form[name]
        out["fields"][name] = {
            "widget": str(bf),
            "label_tag": bf.label_tag(),
            "legend_tag": bf.legend_tag(),
            "as_hidden": bf.as_hidden(),
            "errors": str(bf.errors),
            "errors_text": bf.errors.as_text(),
            "value": py_value(bf.value()),
            "data": py_value(bf.data),
            "widget_type": bf.widget_type,
            "id_for_label": bf.id_for_label,
            "auto_id": bf.auto_id,
            "html_name": bf.html_name,
            "label": bf.label,
            "css_classes": bf.css_classes(),
            "field_group": bf.as_field_group(),
        }
    return out


def instance_initial():
    item = Item(
        title="Hello <world> & 'friends'",
        short="x",
        slug="hello-world",
        body="First line\nSecond <line>",
        email="ann@example.com",
        website="https://example.com/?a=1&b=2",
        count=42,
        big=-9223372036854775808,
        ratio=1e16,
        price=decimal.Decimal("1234.50"),
        tiny=decimal.Decimal("7"),
        fine=decimal.Decimal("0.0000001"),
        active=False,
        day=datetime.date(2024, 3, 5),
        moment=datetime.datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=datetime.UTC),
        ident=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        # Keys in sorted order: djinn's JSON values keep no insertion order.
        data={"a": "é \"q\"", "b": [1, 2.5, None, True]},
        status="published",
        size="xl",
        level="m",
        author=BOB,
        editor=None,
    )
    item.save()
    item.tags.set([RUST, WEB])
    item.reviewers.set([ANN])
    return item


def initial_of(item, names):
    """The values djinn's update view passes to with_initial / with_initial_many."""
    values = {}
    for name in names:
        field = Item._meta.get_field(name)
        if field.many_to_many:
            values[name] = [encode(v) for v in getattr(item, name).order_by("pk")]
        elif field.many_to_one:
            pk = getattr(item, field.attname)
            values[name] = None if pk is None else {"int": pk}
        else:
            values[name] = encode(getattr(item, name), field)
    return values


VALID = [
    ("title", "A title"),
    ("short", "y"),
    ("slug", "a-title"),
    ("body", "  Some body  "),
    ("email", " ann@example.com "),
    ("website", "example.com/x"),
    ("count", "12"),
    ("big", ""),
    ("ratio", "2.5"),
    ("price", "12.5"),
    ("tiny", ""),
    ("fine", "0.1234567"),
    ("active", "on"),
    ("day", "03/05/2024"),
    ("moment", "2024-03-05T14:30:00+02:00"),
    ("ident", "{12345678-1234-5678-1234-567812345678}"),
    ("data", '{"z": 1, "a": [true, null]}'),
    ("status", "published"),
    ("size", ""),
    ("level", "s"),
    ("author", "1"),
    ("editor", "2"),
    ("tags", "1"),
    ("tags", "2"),
    ("reviewers", "2"),
    ("owner", "2"),
]

INJECT = "<script>\"&'"
INVALID = [
    ("title", INJECT),
    ("short", "too long"),
    ("slug", "bad slug " + INJECT),
    ("body", INJECT),
    ("email", "nope" + INJECT),
    ("website", "http://" + INJECT),
    ("count", "x" + INJECT),
    ("big", "99999999999999999999"),
    ("ratio", "inf"),
    ("price", "1.234"),
    ("tiny", "10"),
    ("fine", "1.5"),
    ("active", "false"),
    ("day", "2024-02-30"),
    ("moment", INJECT),
    ("ident", "not-a-uuid"),
    ("data", "{bad " + INJECT),
    ("status", INJECT),
    ("size", "xxl"),
    ("level", ""),
    ("author", "99"),
    ("editor", "abc"),
    ("tags", "1"),
    ("tags", "9"),
    ("reviewers", INJECT),
]


class QueryData(dict):
    """Pairs as Django's QueryDict sees them (getlist for repeats)."""


def bind(cls, pairs, **kwargs):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return cls(data=data, **kwargs)


def render_case(name, names, pairs=None, initial=None, instance=None, add_errors=()):
    cls = form_class(names)
    kwargs = {}
    if instance is not None:
        kwargs["instance"] = instance
    form = bind(cls, pairs, **kwargs) if pairs is not None else cls(**kwargs)
    is_valid = form.is_valid() if pairs is not None else False
    cleaned = {}
    if pairs is not None:
        for key, value in form.cleaned_data.items():
            cleaned[key] = encode(value, Item._meta.get_field(key))
    for field, message in add_errors:
        form.add_error(field, message)
    case = {
        "name": name,
        "fields": names,
        "initial": initial or {},
        "data": [list(p) for p in pairs] if pairs is not None else None,
        "add_errors": [list(e) for e in add_errors],
        "is_valid": is_valid,
        "is_valid_after": form.is_valid() if pairs is not None else False,
        "cleaned": cleaned if pairs is not None else None,
        "output": record_form(form, names),
    }
    return case


def validation_case(name, value):
    """One field bound with one input: `value` None is an absent key, a list repeats it."""
    cls = form_class([name])
    if value is None:
        pairs = []
    elif isinstance(value, list):
        pairs = [(name, v) for v in value]
    else:
        pairs = [(name, value)]
    form = bind(cls, pairs)
    valid = form.is_valid()
    case = {
        "field": name,
        "input": value,
        "errors": [str(e) for e in form.errors.get(name, [])],
        "codes": [e.code or "" for e in form.errors.as_data().get(name, [])],
        "other_errors": {k: list(v) for k, v in form.errors.items() if k != name},
        "cleaned": encode(form.cleaned_data[name], Item._meta.get_field(name))
        if valid
        else None,
        "widget": str(form[name]),
    }
    return case


VALIDATION = {
    "title": [None, "", "   ", "  hi  ", "x" * 200, "x" * 201, "é" * 201, "a\x00b", "\u00a0 nbsp\u2003"],
    "short": ["ab", "é", "  y  "],
    "body": ["", "  line\n  ", "\x00", "\r\nx\r\n"],
    "email": [
        "a@b.co", "nope", "a@b", "a@localhost", "user@[127.0.0.1]", "user@[::1]",
        "user@[300.1.1.1]", "user@[1.2.3]", '"quoted name"@example.com', "a..b@example.com",
        "a@-example.com", "a@exa_mple.com", "ünï@example.com", "a@exämple.com",
        "A@EXAMPLE.COM", "x" * 250 + "@example.com", "a@b.c", "a@example.123",
        "a@xn--80ak6aa92e.com", "a@example.xn--p1ai", " a@b.co ", "a b@c.co", "a@b.co.",
        "@b.co", "a@", "a@@b.co", "a@b.co\x00", "a@" + "b" * 64 + ".com", "a@" + "b" * 63 + ".com",
        "first.last+tag@sub.example.org", "a@b-.co", "a@b.co-", "a@😀.com",
    ],
    "website": [
        "example.com", "http://example.com", "ftp://x.org/a b", "http://localhost:8000/",
        "http://127.0.0.1/", "http://[::1]:80/", "http://[::zz]/", "http://user:pass@example.com/",
        "mailto:x@y.z", "//example.com/path", "http://exa mple.com", "http://example",
        "http://-bad.com", "http://ex.com:999999", "javascript:alert(1)", "http://例え.テスト/",
        "HTTP://EXAMPLE.COM", "http://example.com/" + "a" * 200, "http://[::1", "https://ex.com/\x00",
        "http://1.2.3.4.5/", "http://256.1.1.1/", "www.example.com:8080/x?y#z", "http://example.com.",
        "https://example.com/path?q=a b", "  https://example.com  ", "http://a.b-.com/",
        "http://xn--d1acufc.xn--p1ai/", "https://" + "a" * 63 + ".com/", "https://" + "a" * 64 + ".com/",
        "1:2", "a:b", "3com.com",
    ],
    "slug": ["hello-world_1", "bad slug", "héllo", "a" * 51, "", "-", "a\x00"],
    "count": [
        "5", " 7 ", "1.0", "1.00 ", "1.5", "+3", "-0", "1_000", "abc", "", "  ", "2147483648",
        "-2147483649", "2147483647", "-2147483648", "١٢٣", "1e3", "0x10", "99999999999999999999",
        "1.", ".0", "1__0", "_1", "1_", "٣.0",
    ],
    "big": ["", "9223372036854775808", "-9223372036854775808", "9223372036854775807", "-9223372036854775809"],
    "ratio": [
        "1.5", "1e5", "inf", "nan", "-0", " 2 ", "abc", "1_0.5", ".5", "5.", "1e999", "", "  ",
        "0.1", "1e16", "-Infinity", "1e-7", "١.٥",
    ],
    "price": [
        "1.23", "1.234", "12345.6", "1234.5", "0.001", "1E+2", "1e5", "-0", "abc", "NaN",
        "Infinity", " 3.5 ", "1_000", "", "0.10", "9999.99", "10000", "00001.50", ".5", "5.",
        "-1.5", "  ", "1e-2", "0E+5", "-0.00",
    ],
    "tiny": ["5", "55", "0.5", "", "-9"],
    "fine": ["0.1234567", "0.12345678", "12.5", "0.0000001"],
    "active": [None, "on", "false", "False", "0", "", "true", "anything", "FALSE"],
    "day": [
        "2024-03-05", "2024-3-5", "03/05/2024", "03/05/24", "3/5/70", "Mar 5 2024", "Mar 5, 2024",
        "5 March 2024", "March 5, 2024", "2024-02-30", "2024-03-05T00:00", " 2024-03-05 ", "20240305",
        "junk", "", "   ", "mar 05 2024", "2024-03-05 10:00", "5 Mar, 2024", "Sep 9 2024",
        "September 9 2024", "March  5  2024", "0024-03-05", "2024-13-01", "12/31/1999",
    ],
    "moment": [
        "2024-03-05 14:30", "2024-03-05 14:30:15", "2024-03-05 14:30:15.123456",
        "2024-03-05T14:30:15Z", "2024-03-05T14:30:15+02:00", "2024-03-05", "03/05/2024 14:30",
        "2024-03-05 25:00", "nope", "", "2024-03-05T14:30:15.5", "20240305T143015",
        "2024-03-05 14", "2024-03-05 14:30:15 +02:00", "2024-3-5 9:05", "2024-03-05 14:30:15-0130",
        "Mar 5 2024", "03/05/24 14:30:15.5", "2024-03-05T14:30:15.1234567", "2024-03-05x14:30",
        "2024-03-05 14:30:15,25", "  2024-03-05 14:30  ", "2024-02-30 10:00",
    ],
    "ident": [
        "12345678-1234-5678-1234-567812345678", "12345678-1234-5678-1234-56781234567A",
        "12345678123456781234567812345678", "{12345678-1234-5678-1234-567812345678}",
        "urn:uuid:12345678-1234-5678-1234-567812345678", "not-a-uuid", "",
        "  12345678123456781234567812345678  ", "1234-5678", "12345678-1234-5678-1234-5678123456789",
    ],
    "data": [
        '{"a": 1}', "[1,2]", '"text"', "1.5", "null", "{bad", "", "  ", "true",
        '{"b":1,"a":[1,2.50]}', '"a\\u0000b"', "1e3", '{"é": "ü"}',
    ],
    "status": ["draft", "published", "bogus", "", " draft", None],
    "size": ["", "s", "xl", "bogus", None],
    "level": ["", "m", None],
    "author": ["1", "2", "99", "abc", "", " 1 ", "1.0", "\x00", None, "+1", "1_0"],
    "editor": ["", "1", "9", None],
    "tags": [[], ["1"], ["1", "2"], ["9"], ["abc"], ["1", "1"], [""], ["2", "x\x00"], ["1", "9"]],
    "reviewers": [[], ["1"], ["3"]],
    "owner": ["", "2", None],
}


def main():
    names = ALL_FIELDS
    item = None
    cases = []
    cases.append(render_case("unbound_create", names))
    item = instance_initial()
    cases.append(
        render_case(
            "unbound_update", names, initial=initial_of(item, names), instance=item
        )
    )
    cases.append(render_case("bound_valid", names, pairs=VALID))
    cases.append(render_case("bound_invalid", names, pairs=INVALID))
    cases.append(render_case("bound_empty", names, pairs=[]))
    cases.append(
        render_case(
            "added_errors",
            names,
            pairs=VALID,
            add_errors=[
                (None, "Blog post with this Author and Title already exists."),
                ("title", "Blog post with this Title already exists."),
                (None, "Constraint “price_positive” is violated <now>."),
            ],
        )
    )
    cases.append(
        render_case(
            "bound_update_invalid",
            ["title", "status", "tags", "active", "moment"],
            pairs=[("title", ""), ("status", "draft"), ("moment", "2024-03-05 10:00")],
            initial=initial_of(item, ["title", "status", "tags", "active", "moment"]),
            instance=item,
        )
    )
    cases.append(render_case("one_choice", ["status"]))
    cases.append(render_case("one_checkbox_checked", ["active"], pairs=[("active", "on")]))
    cases.append(
        render_case(
            "only_non_field_errors",
            ["title"],
            pairs=[("title", "ok")],
            add_errors=[(None, "First <problem>."), (None, "Second problem.")],
        )
    )
    cases.append(
        render_case(
            "model_validation_after_fields",
            ["count", "title", "big"],
            pairs=[("count", "2147483648"), ("title", ""), ("big", "-9223372036854775809")],
        )
    )
    cases.append(
        render_case(
            "blank_dates_and_numbers",
            ["day", "moment", "count", "data", "ident", "body"],
            pairs=[("day", ""), ("moment", ""), ("count", ""), ("data", ""), ("ident", ""), ("body", "")],
        )
    )
    cases.append(
        render_case(
            "repeated_keys_take_the_last",
            ["title", "status", "tags", "active"],
            pairs=[
                ("title", "first"), ("title", "last"), ("status", "bogus"),
                ("status", "draft"), ("tags", "2"), ("tags", "1"), ("active", "false"),
                ("active", "on"),
            ],
        )
    )
    Item.objects.all().delete()

    validation = []
    for name, inputs in VALIDATION.items():
        for value in inputs:
            validation.append(validation_case(name, value))

    result = {
        "django": django.get_version(),
        "specs": {name: spec_of(name) for name in names},
        "model_verbose_name": str(Item._meta.verbose_name),
        "choices": {
            "author": [[str(a.pk), str(a)] for a in Author.objects.order_by("pk")],
            "editor": [[str(a.pk), str(a)] for a in Author.objects.order_by("pk")],
            "reviewers": [[str(a.pk), str(a)] for a in Author.objects.order_by("pk")],
            "owner": [[str(a.pk), str(a)] for a in Author.objects.order_by("pk")],
            "tags": [[str(t.pk), str(t)] for t in Tag.objects.order_by("pk")],
        },
        "render": cases,
        "validation": validation,
    }
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=1, sort_keys=False)
        out.write("\n")
    print(f"wrote {len(cases)} render cases and {len(validation)} validation cases to {OUT}")


if __name__ == "__main__":
    main()
