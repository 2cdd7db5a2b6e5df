"""No input answers a 5xx: generated junk sent to every named URL as every role.

The URLs come from the URL resolver, so a new page or form is covered the day it is
added. Their arguments are filled in two ways: from the table of
tests/test_page_query_counts.py (which must name every URL) and from the forms the pages
show, crawled as each role, so a form that posts to ``/plans/1/status/cancel/`` is tried
there with the fields and choices the page offers. Each URL then gets:

1. a sweep: the form as the page fills it in, then with one field at a time at the
   worst value for its kind (a NUL byte in text, 9999-12-31 in a date, a number past
   any column);
2. Hypothesis examples: some fields left out, some repeated, unknown ones added, each
   with an offered value or junk (long strings, unicode, NUL, numbers where text
   belongs and text where numbers do, dates outside any calendar).

The roles: front desk, practitioner, manager, anonymous, and a second practitioner (the
world's draft consultation is not theirs; they get the sweep only). The profile decides
how many examples each URL gets: ``junk-ci`` (the default, derandomized, so CI repeats
the same requests) or, by hand, ``junk-thorough``::

    JUNK_PROFILE=junk-thorough pytest tests/test_junk_input.py

Every request runs in a savepoint that is rolled back, so the world stays as built. Run
it on PostgreSQL too (DATABASE_URL): only there is a NUL byte in text refused.
"""

import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.staff.roles import Role
from tests.factories import UserFactory
from tests.page_world import World, build_world
from tests.test_page_query_counts import (
    MONDAY,
    PAGES,
    POST_ONLY,
    Page,
    PostOnly,
    _named_urls,
)

pytestmark = pytest.mark.django_db

settings.register_profile(
    "junk-ci",
    max_examples=3,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "junk-thorough",
    max_examples=200,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("JUNK_PROFILE", "junk-ci"))

# Values that have broken web forms before: NUL (PostgreSQL refuses it in text), dates
# at and past the calendar's ends, numbers past any column, numbers' spellings that are
# not numbers, markup, and right-to-left overrides.
NASTY = [
    "",
    " ",
    "\x00",
    "reason\x00with a NUL",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-11-23T25:61",
    "2026-11-23 10:00",
    "23:59",
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999",
    "1e309",
    "-0.0",
    "nan",
    "inf",
    "on",
    "true",
    "null",
    "[]",
    '{"a": 1}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "%00",
    "\u202eevil",
    "Zoë Martin",
    "Ünïcödé 😀 中文 עברית",
]

# Everything UTF-8 can carry: surrogates cannot reach a server as form data.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
JUNK = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    TEXT.map(lambda s: f"{s}\x00{s}"),
    st.tuples(st.text(min_size=1, max_size=3), st.integers(300, 3000)).map(lambda p: p[0] * p[1]),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)


@dataclass
class FormField:
    """A field as a page shows it: its input type, the values offered, those filled in."""

    kind: str = "text"
    offered: set[str] = field(default_factory=set)
    filled: list[str] = field(default_factory=list)

    def as_filled(self) -> list[str]:
        """What a browser would send once a choice is made where none is: a required
        radio, select or box group otherwise keeps the form from going through."""
        if any(self.filled) or self.kind not in ("radio", "select", "checkbox"):
            return self.filled
        return sorted(v for v in self.offered if v)[:1]


# The most dangerous value for each kind of input, tried one field at a time.
EXTREMES = {
    "date": ["9999-12-31"],
    "datetime-local": ["9999-12-31T23:59"],
    "time": ["23:59:59.999999"],
    "number": ["99999999999999999999"],
    "select": ["9223372036854775808"],
    "checkbox": ["\x00"],
    "radio": ["\x00"],
    "text": ["a\x00b"],
}


class _FormParser(HTMLParser):
    """The forms of a page: where each sends its fields, and the fields."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, str, dict[str, FormField]]] = []
        self._fields: dict[str, FormField] | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = defaultdict(FormField)
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self.forms.append((a.get("method", "get").lower(), action, self._fields))
            return
        name = a.get("name", "")
        if self._fields is None or (not name and tag != "option"):
            return
        if tag == "input" and name != "csrfmiddlewaretoken":
            self._input(self._fields[name], a)
        elif tag == "textarea":
            self._textarea = self._fields[name]
            self._textarea.filled = [""]
        elif tag == "select":
            self._select = self._fields[name]
            self._select.kind = "select"
        elif tag == "option" and self._select is not None:
            self._select.offered.add(a.get("value", ""))
            if "selected" in a:
                self._select.filled.append(a.get("value", ""))

    def _input(self, entry: FormField, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        entry.kind = kind if kind in EXTREMES else "text"
        if kind in ("checkbox", "radio"):
            entry.offered.add(a.get("value", "on"))
            if "checked" in a:
                entry.filled.append(a.get("value", "on"))
        elif kind not in ("submit", "button", "reset", "image"):
            entry.offered.add(a.get("value", ""))
            entry.filled.append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.filled = [self._textarea.filled[0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class Target:
    """One URL to send junk to, the method its form uses, and the form's fields."""

    name: str
    path: str
    method: str
    fields: dict[str, FormField] = field(default_factory=lambda: defaultdict(FormField))

    def filled(self) -> dict[str, list[str]]:
        """The form as the page fills it in (an unticked box is not sent)."""
        return {name: f.as_filled() for name, f in self.fields.items() if f.as_filled()}


# A form whose URL takes a word (plan_status's action, a screening rule's code) is tried at
# a few of the addresses the pages show, not all of them.
ADDRESSES_PER_URL = 3


def _targets(world: World, client: Client) -> list[Target]:
    """Every named URL with the table's arguments, and the form actions the pages show
    this client, at most ADDRESSES_PER_URL of each."""
    table: dict[str, Page | PostOnly] = {page.name: page for page in PAGES}
    table.update({url.name: url for url in POST_ONLY})
    targets: dict[tuple[str, str], Target] = {}
    for name in _named_urls(get_resolver()):
        row = table[name]
        method = "post" if isinstance(row, PostOnly) else "get"
        targets[(name, row.url(world))] = Target(name, row.url(world), method)
    for page in PAGES:
        response = client.get(page.url(world), page.query(world))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _FormParser(page.url(world))
        parser.feed(response.content.decode())
        for method, action, fields in parser.forms:
            resolved = _resolved_name(action)
            if resolved is None:
                continue
            name = resolved
            known = [key for key in targets if key[0] == name]
            if (name, action) not in targets and len(known) >= ADDRESSES_PER_URL:
                continue
            target = targets.setdefault((name, action), Target(name, action, method))
            target.method = method
            for key, value in fields.items():
                entry = target.fields[key]
                entry.kind = value.kind
                entry.offered |= value.offered
                entry.filled = entry.filled or value.filled
    return list(targets.values())


def _resolved_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not match.url_name or "admin" in match.namespaces:
        return None
    return ":".join([*match.namespaces, match.url_name])


def junk_form(fields: dict[str, FormField]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Some of the form's fields (some left out, some repeated, some unknown), each with
    a value the page offers, the worst value for its kind, or junk."""

    def values(entry: FormField) -> st.SearchStrategy[list[str]]:
        choices = [*sorted(entry.offered), *EXTREMES[entry.kind]]
        one = st.one_of(st.sampled_from(choices), JUNK)
        return st.lists(one, min_size=1, max_size=3)

    known = st.fixed_dictionaries(
        {}, optional={name: values(entry) for name, entry in sorted(fields.items())}
    )
    unknown = st.dictionaries(
        st.sampled_from(["q", "id", "pk", "next", "\x00"]), values(FormField())
    )
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


@contextmanager
def _rolled_back(client: Client) -> Iterator[None]:
    """The request's writes and the client's cookies (a sign-out) undone afterwards."""
    cookies = deepcopy(client.cookies)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def _describe(method: str, target: Target, data: object, exc: BaseException) -> str:
    return (
        f"{method.upper()} {target.path} ({target.name}) with {data!r}: {type(exc).__name__}: {exc}"
    )


def _send(client: Client, method: str, target: Target, data: dict[str, Any]) -> None:
    with _rolled_back(client):
        response = getattr(client, method)(target.path, data)
    assert response.status_code < 500, f"answered {response.status_code}"


FIELDS_PER_KIND = 4


def _sweep(client: Client, target: Target) -> Iterator[str]:
    """The form as filled in, then with one field at a time at the worst value for its
    kind (the first few fields of each kind: a week of opening hours has 28 times)."""
    filled = target.filled()
    tries: list[dict[str, str | list[str]]] = [dict(filled)] if target.fields else []
    per_kind: dict[str, int] = defaultdict(int)
    for name, entry in sorted(target.fields.items()):
        per_kind[entry.kind] += 1
        if per_kind[entry.kind] <= FIELDS_PER_KIND:
            tries += [{**filled, name: extreme} for extreme in EXTREMES[entry.kind]]
    for data in tries:
        try:
            _send(client, target.method, target, data)
        except Exception as exc:  # the view's own exception or the 5xx
            yield _describe(target.method, target, data, exc)


def _fuzz(client: Client, method: str, target: Target) -> str | None:
    """Generated junk to one URL; the failing request's description, or None."""
    failing: list[dict[str, Any]] = []

    @PROFILE
    @given(data=junk_form(target.fields))
    def send(data: dict[str, Any]) -> None:
        try:
            _send(client, method, target, data)
        except BaseException:
            failing.append(data)  # Hypothesis runs the shrunk example last
            raise

    try:
        send()
    except Exception as exc:  # the view's own exception or the 5xx
        return _describe(method, target, failing[-1], exc)
    return None


ROLES = ["front_desk", "practitioner", "colleague", "manager", "anonymous"]


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def world(frozen, front_desk, practitioner, manager) -> World:
    return build_world(front_desk, practitioner, manager)


@pytest.fixture
def colleague(db):
    """A second practitioner: the world's draft consultation is not theirs."""
    return UserFactory(username="prac2", first_name="Lena", roles=[Role.PRACTITIONER])


@pytest.mark.parametrize("role", ROLES)
def test_no_junk_answers_a_server_error(role, world, role_clients, colleague):
    if role == "colleague":
        client = Client()
        client.force_login(colleague)
    else:
        client = role_clients[role]
    failures: list[str] = []
    for target in _targets(world, client):
        failures.extend(_sweep(client, target))
        # The colleague differs from the practitioner only in whose records they are.
        failure = None if role == "colleague" else _fuzz(client, target.method, target)
        if failure:
            failures.append(failure)
    assert not failures, "\n".join(failures)
