"""Every named URL's GET costs a pinned number of queries, and the same with more data.

The table below names each page, who asks for it and what it costs; the URLs that answer
only a POST are listed apart, and a GET to them must answer 405. A test walks the URL
patterns, so a new page without a count, or a count for a page that is gone, fails.

Each count is named query by query in a comment.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import page_world as w
from tests.page_world import World, build_world

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# The Django admin's own pages are not walked: tests/clinic/test_admin.py pins the
# query count of every model's list there.
SKIPPED_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Page:
    """A named URL, who GETs it, and what it costs.

    ``args`` are World attributes (a model gives its pk) or, for ``literal``, the value
    itself; ``grow`` adds more rows of the kinds the page shows.
    """

    name: str
    role: str
    queries: int
    args: tuple[str, ...] = ()
    literal: tuple[str, ...] = ()
    grow: Callable[[World], None] = w.plans
    status: int = 200
    params: dict[str, str] = field(default_factory=dict)
    # Query parameters whose value is a World attribute (a model gives its pk).
    params_from: dict[str, str] = field(default_factory=dict)

    def query(self, world: World) -> dict[str, str]:
        values = {name: getattr(world, attribute) for name, attribute in self.params_from.items()}
        return {
            **self.params,
            **{k: str(v.pk if isinstance(v, models.Model) else v) for k, v in values.items()},
        }

    def url(self, world: World) -> str:
        values = [getattr(world, name) for name in self.args]
        args = [v.pk if isinstance(v, models.Model) else v for v in values]
        return reverse(self.name, args=[*args, *self.literal])


# The lot the world's signed session used, for the recall pages.
LOT = {"needle_lot": "LOT-2291"}

# In the comments: "login" is the session, the user and the user's roles with what they
# grant (one query, which the menu uses too), and for a practitioner or the manager also
# the second factor that verified the session (the front desk has none by default);
# "audit" one sealed
# audit entry, four queries: its INSERT, the chain head locked, the seal's INSERT and the
# head moved on (clinic/staff/audit.py).
PAGES = [
    # login, locations, one location's arrivals with their patients, practitioners, rooms
    # and types, the to-do list (cancel requests, closures, leave, unbooked sessions,
    # failed messages)
    Page("today", "front_desk", 10, grow=w.appointments),
    # SELECT 1, beat's heartbeat (the broker is asked, not the database)
    Page("healthz", "anonymous", 2),
    # nothing: no session yet
    Page("login", "anonymous", 0, grow=w.patients),
    # login, count, one page of audit entries
    Page("audit_log", "manager", 6, grow=w.patient_history),
    # login, count, one page of patients, audit (a search, not what was searched)
    Page("patients:list", "front_desk", 9, grow=w.patients),
    # login
    Page("patients:new", "front_desk", 3, grow=w.patients),
    # login, the patient with who registered them, cleared-for-treatment badge,
    # consent with its version, appointments to come and past, plans with their progress,
    # messages sent to them, which of the sessions their course confirmation lists are
    # still to come, audit
    Page("patients:detail", "front_desk", 15, ("patient",), grow=w.patient_history),
    # the same for a practitioner (their consultations, and the second factor in login),
    # then the history from home with its take-ins by signed consultations, audit
    Page("patients:detail", "practitioner", 22, ("home_patient",), grow=w.home_history_answers),
    # login, the patient, audit
    Page("patients:edit", "front_desk", 8, ("patient",), grow=w.patient_history),
    # login (audit log permission), the patient, count of their access entries, one page
    # of them with who and the record type
    Page("patients:accesses", "manager", 7, ("patient",), grow=w.record_accesses),
    # login, count, one page of patients
    Page("data_rights:requests", "manager", 6, grow=w.patients, params={"q": "a"}),
    # login, the patient
    Page("data_rights:overview", "manager", 5, ("patient",), grow=w.patient_record),
    # login, the patient, the record: consultations with history, their findings, addenda,
    # medicine lines, plans, their areas, sessions with appointment and aftercare, their depths,
    # check-ins, histories given at home, what was taken from them, consents, appointments,
    # messages, who accessed it; audit
    Page("data_rights:export_json", "practitioner", 24, ("patient",), grow=w.patient_record),
    # the JSON's
    Page("data_rights:export_print", "manager", 24, ("patient",), grow=w.patient_record),
    # login, the patient, the last contact (appointments, consultations)
    Page("data_rights:erase", "manager", 7, ("patient",), grow=w.patient_record),
    # login, areas with their treatments, their depth guidance (prefetch)
    Page("treatments:catalog", "manager", 6, grow=w.depth_guidance),
    # login, the area with its treatment, its depth guidance (formset)
    Page("treatments:catalog_area", "manager", 6, ("area",), grow=w.depth_guidance),
    # login, the consultation, the latest signed one (blockers), its findings, consent,
    # first location and treatment (initial), then the form's choices: treatments,
    # locations, areas, practitioners
    Page("treatments:plan_new", "practitioner", 14, ("consultation",), grow=w.locations),
    # login, the plan with patient and treatment, audit, sessions with their appointments,
    # areas
    Page("treatments:plan", "practitioner", 11, ("plan",)),
    # login, treatments, every version with its author
    Page("treatments:aftercare_templates", "manager", 6, grow=w.aftercare_versions),
    # login, the treatment, its current version
    Page("treatments:aftercare_template", "manager", 6, ("treatment",), grow=w.aftercare_versions),
    # login, the session with plan, patient, appointment and aftercare, audit, the plan's
    # areas, their depth guidance, the depths recorded
    Page("treatments:session", "practitioner", 12, ("session",)),
    # login, the session with plan, patient and aftercare, audit
    Page("treatments:aftercare", "practitioner", 9, ("session",)),
    # login, the sessions that used the lot with patient, location, signer and
    # practitioner, audit
    Page("treatments:lot_recall", "practitioner", 9, grow=w.lot_sessions, params=LOT),
    # login, audit, the same sessions
    Page("treatments:lot_recall_csv", "manager", 9, grow=w.lot_sessions, params=LOT),
    # login, the clinic's rule settings with who changed them, again for the ruleset
    # version
    Page("treatments:screening_rules", "manager", 6, grow=w.rule_settings),
    # login, every version with who published it
    Page("treatments:consent_texts", "manager", 5, grow=w.consent_versions),
    # login, the patient, the last history, audit (the form starts from it: its INSERT,
    # the chain head locked, the seal, the head moved on), its medicine
    # lines, the clinic's rule settings with who changed them (live screening)
    Page("treatments:consultation_new", "practitioner", 12, ("patient",), grow=w.patient_history),
    # login (the medicines come from the vocabulary, not the database)
    Page("treatments:medicine_suggest", "practitioner", 4, params={"q": "eliq"}),
    # login, the patient, the current consent text
    Page("treatments:consent_sign", "practitioner", 6, ("patient",), grow=w.consent_versions),
    # login, the patient, the clearing consultation with its history, its findings, audit
    Page("treatments:check_in_new", "practitioner", 11, ("patient",), grow=w.patient_history),
    # login, the check-in with patient, practitioner and consultation, audit, today's
    # latest check-in, then may the session start: that check-in, the clearing
    # consultation, its findings
    Page("treatments:check_in", "practitioner", 14, ("check_in",), grow=w.check_ins),
    # login, the consultation with patient, practitioner and history, audit twice (the
    # consultation and its history), findings, medicine lines with who checked them,
    # addenda with authors, the take-ins from a history from home (signed: nothing else)
    Page("treatments:consultation", "practitioner", 17, ("consultation",), grow=w.patient_history),
    # login, the draft with patient and history, medicine lines, audit, the take-ins from
    # a history from home, none: the patient's histories from home, rule settings with who
    # changed them (live screening)
    Page("treatments:consultation_edit", "practitioner", 13, ("draft",), grow=w.patient_history),
    # login, the draft with patient, practitioner and history, its take-ins with their
    # history and who took them in, the medicine lines, audit twice (the history from home
    # and the consultation's), the findings
    Page(
        "treatments:home_history_review",
        "practitioner",
        16,
        ("home_draft",),
        grow=w.home_history_answers,
    ),
    # the book's shell: login, locations, appointment types, the session with the
    # choices remembered (saved: three)
    Page("scheduling:calendar_day", "front_desk", 8, grow=w.appointments),
    Page("scheduling:calendar_week", "front_desk", 8, grow=w.appointments),
    # login, locations, appointment types, the free starts: opening hours, closures,
    # practitioners, working hours, leave, rooms, busy time; the location's appointments
    # with the cards' badges (open requests to cancel, clearance), the practitioners
    # working there with their hours (one query)
    Page("scheduling:calendar_list", "front_desk", 14, grow=w.appointments),
    # login, locations, types, the appointments with the cards' badges (open requests to
    # cancel, clearance), the columns (1: the practitioners with their hours), opening
    # hours, closures, leave, the free starts (7)
    Page(
        "scheduling:calendar_data",
        "front_desk",
        17,
        grow=w.appointments,
        params={"start": "2026-11-23", "end": "2026-11-24"},
    ),
    # login, patients matching "a" (the picker)
    Page("scheduling:new", "front_desk", 4, grow=w.patients, params={"q": "a"}),
    # login, the appointment with patient, practitioner, room, location and type,
    # the messages about it (it has started: no nearby free times)
    Page("scheduling:appointment", "front_desk", 5, ("appointment",)),
    # the same for a practitioner, then the appointment's history from home, audit
    Page(
        "scheduling:appointment",
        "practitioner",
        11,
        ("home_appointment",),
        grow=w.home_history_answers,
    ),
    # login, locations, rooms, opening hours, closures, practitioners, working hours,
    # leave, appointment types
    Page("setup:overview", "manager", 12, grow=w.rooms),
    # login
    Page("setup:location_new", "manager", 4, grow=w.locations),
    # login, the location
    Page("setup:location_edit", "manager", 5, ("location",), grow=w.rooms),
    # login, the location
    Page("setup:room_new", "manager", 5, ("location",), grow=w.rooms),
    # login, the location, its week
    Page("setup:opening_hours", "manager", 6, ("location",), grow=w.closures),
    # login, the location, its closures
    Page("setup:closures", "manager", 6, ("location",), grow=w.closures),
    # login, the room with its location
    Page("setup:room_edit", "manager", 5, ("room",), grow=w.rooms),
    # login, the practitioner, the location, their week there
    Page("setup:working_hours", "manager", 7, ("profile", "location"), grow=w.leave),
    # login, the practitioner, their usual location, their leave, locations (the
    # form's initial and its choices)
    Page("setup:leave", "manager", 9, ("profile",), grow=w.leave),
    # login
    Page("setup:appointment_type_new", "manager", 4, grow=w.appointment_types),
    # login, the type
    Page(
        "setup:appointment_type_edit",
        "manager",
        5,
        ("appointment_type",),
        grow=w.appointment_types,
    ),
    # the message with patient and appointment location (no session: a patient's link)
    Page("messaging:reply", "anonymous", 1, ("reply_token",)),
    # the appointment with patient, location, type and practitioner, audit, its plan
    # session (the window); the practitioner's free times: opening hours, closures, the
    # practitioner, their working hours, leave, their appointments, rooms, the rooms they
    # use, those rooms' appointments (no session: a patient's link)
    Page("messaging:change", "anonymous", 15, ("change_token",), grow=w.appointments),
    # the appointment with patient, location, type and practitioner, audit
    Page("messaging:cancel", "anonymous", 5, ("change_token",), grow=w.appointments),
    # the session with plan, patient, location, type and the plan's practitioner, audit;
    # the session's place on the waitlist; the free times: opening hours, closures,
    # practitioners, their working hours, rooms, leave, appointments with the times held
    # for the waitlist (one UNION); the practitioners' names
    Page("treatments:book_session", "anonymous", 14, ("book_token",), grow=w.appointments),
    # the session (as above), then back to the page: a GET changes nothing
    Page("treatments:book_session_waitlist", "anonymous", 1, ("book_token",), status=302),
    # the appointment with patient, location and type, its history, audit (no session: a
    # patient's link)
    Page("treatments:home_history", "anonymous", 6, ("home_history_token",), grow=w.home_histories),
    Page(
        "treatments:home_history_send",
        "anonymous",
        6,
        ("home_history_token",),
        grow=w.home_histories,
    ),
    # the appointment, the current consent text; in a savepoint: the appointment locked
    # with its patient, type and location, the history's get-or-create, the history
    # locked, audit, the savepoint released (the text was noted as read on a first view)
    Page(
        "treatments:home_history_consent",
        "anonymous",
        11,
        ("home_history_token",),
        grow=w.home_histories,
    ),
    # the appointment with patient, location and type (a patient's link)
    Page(
        "treatments:home_history_medicines",
        "anonymous",
        1,
        ("home_history_token",),
        grow=w.home_histories,
        params={"q": "warf"},
    ),
    # the offer with its patient, type, location and practitioner, audit (no session: a
    # patient's link)
    Page("messaging:offer", "anonymous", 5, ("offer_token",), grow=w.waitlist),
    # login, the first location (none remembered), the page's count, its entries with
    # patient, type and practitioner, their offers held with the time and practitioner,
    # the location picker
    Page("waitlist:list", "front_desk", 8, grow=w.waitlist),
    # login, the patient, the first location, the form's choices: locations, types,
    # practitioners
    Page("waitlist:add", "front_desk", 8, grow=w.waitlist, params_from={"patient": "patient"}),
    # login, one page of messages (no count: it starts where the last ended), counts of
    # due, sending and failed, cancel requests, which sessions of the page's course
    # confirmations are still to come, audit
    Page("messaging:list", "front_desk", 11),
    # login, the settings row
    Page("messaging:settings", "manager", 5),
    # login, the message with patient and appointment, audit, its type (the content)
    Page("messaging:detail", "front_desk", 9, ("message",)),
    # login, the message with patient and appointment, audit, its type (no menu: bare
    # HTML)
    Page("messaging:html", "front_desk", 9, ("message",)),
    # login, the filter's locations and practitioners
    Page("reporting:index", "manager", 6),
    # login, locations' zones, closures, leave, working hours, booked time by
    # practitioner, practitioners, opening hours, booked time by room, rooms
    Page("reporting:csv", "manager", 13, literal=("utilisation",)),
    # the CSV's 12, then the filter's locations and practitioners
    Page("reporting:report", "manager", 15, literal=("utilisation",)),
    # session, user, the second factor that verified it: on to the page asked for
    Page("mfa_verify", "practitioner", 3, status=302),
    # session, user, has an authenticator, role permissions (required?), the
    # session keeping the new secret until it is confirmed (savepoint, update, release)
    Page("mfa_enrol", "front_desk", 7, grow=w.staff_members),
    # login
    Page("password_change", "front_desk", 3),
    # nothing: no session
    Page("password_forgot", "anonymous", 0),
    Page("password_forgot_sent", "anonymous", 0),
    # the account of the link (this one's token is wrong: "this link no longer works")
    Page("password_set", "anonymous", 1, literal=("MQ", "not-a-token")),
    # nothing: a message and on to sign in
    Page("password_set_done", "anonymous", 0, status=302),
    # login, everyone with whether they have an authenticator, their groups
    Page("staff_list", "manager", 6, grow=w.staff_members),
    # login
    Page("staff_new", "manager", 4, grow=w.staff_members),
    # login, the colleague, their roles, whether they have an authenticator
    Page("staff_detail", "manager", 7, ("front_desk",), grow=w.staff_members),
]


@dataclass(frozen=True)
class PostOnly:
    """A named URL that answers only a POST; ``role`` holds the permission it checks
    before the method, so that the GET reaches the method check."""

    name: str
    role: str
    args: tuple[str, ...] = ()
    literal: tuple[str, ...] = ()
    reason: str = "a change: @require_POST"

    def url(self, world: World) -> str:
        return Page(self.name, self.role, 0, self.args, self.literal).url(world)


POST_ONLY = [
    PostOnly("logout", "front_desk", reason="Django's LogoutView signs out on POST only"),
    PostOnly("keepalive", "front_desk", reason="'stay signed in' counts as activity: a POST"),
    PostOnly("treatments:plan_book", "front_desk", ("plan",)),
    PostOnly("treatments:plan_status", "practitioner", ("plan",), ("pause",)),
    PostOnly("treatments:plan_session_adjust", "front_desk", ("plan",), ("2",)),
    PostOnly("treatments:plan_session_move", "front_desk", ("plan",), ("2",)),
    PostOnly("treatments:session_start", "practitioner", ("session",)),
    PostOnly("treatments:session_sign", "practitioner", ("session",)),
    PostOnly("treatments:lot_recall_send", "manager"),
    PostOnly("treatments:screening_rule", "manager", literal=("sunburn",)),
    PostOnly("treatments:check_in_override", "practitioner", ("check_in",), ("sunburn",)),
    PostOnly(
        "treatments:screening_preview",
        "practitioner",
        reason="htmx posts the form being filled in; a GET has nothing to screen",
    ),
    PostOnly("treatments:consultation_sign", "practitioner", ("draft",)),
    PostOnly("treatments:consultation_addendum", "practitioner", ("consultation",)),
    PostOnly("treatments:finding_override", "practitioner", ("draft",), ("1",)),
    PostOnly("treatments:home_history_take_in", "practitioner", ("home_draft",)),
    PostOnly("treatments:home_history_take_in_all", "practitioner", ("home_draft",)),
    PostOnly("scheduling:move", "front_desk", ("appointment",)),
    PostOnly("scheduling:calendar_drop", "front_desk", ("appointment",)),
    PostOnly("scheduling:action", "front_desk", ("appointment",), ("confirm",)),
    PostOnly("setup:closure_remove", "manager", ("closure",)),
    PostOnly("setup:room_off", "manager", ("room",)),
    PostOnly("setup:room_on", "manager", ("room",)),
    PostOnly("setup:leave_remove", "manager", ("leave",)),
    PostOnly("messaging:resend", "front_desk", ("message",)),
    PostOnly("waitlist:remove", "front_desk", literal=("1",)),
    PostOnly("data_rights:restriction", "manager", ("patient",)),
    PostOnly("staff_switch", "manager", ("front_desk",), ("off",)),
    PostOnly("staff_password_link", "manager", ("front_desk",)),
    PostOnly("staff_mfa_reset", "manager", ("practitioner",)),
]


def _named_urls(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def world(frozen, front_desk, practitioner, manager) -> World:
    return build_world(front_desk, practitioner, manager)


@pytest.fixture
def clients(frozen, role_clients):
    return role_clients


def test_every_named_url_is_in_the_table_or_answers_only_a_post():
    named = set(_named_urls(get_resolver()))
    listed = [p.name for p in PAGES] + [p.name for p in POST_ONLY]

    assert sorted(named - set(listed)) == [], "named URLs with no pinned count"
    assert sorted(set(listed) - named) == [], "the table names URLs that are gone"
    rows = [(p.name, p.role) for p in PAGES] + [(p.name, p.role) for p in POST_ONLY]
    assert len(rows) == len(set(rows)), "a URL is listed twice for one role"


# "pinned", not "page": a test parameter named "page" is Playwright's (tests/conftest.py).
def _page_id(page: Page) -> str:
    """The URL's name, and the role too when the table lists it for more than one."""
    twice = sum(1 for other in PAGES if other.name == page.name) > 1
    return f"{page.name}[{page.role}]" if twice else page.name


@pytest.mark.parametrize("pinned", [pytest.param(p, id=_page_id(p)) for p in PAGES])
def test_the_page_costs_the_same_with_more_data(pinned, world, clients, django_assert_num_queries):
    client = clients[pinned.role]
    for size in ("small", "grown"):
        if size == "grown":
            pinned.grow(world)
        url = pinned.url(world)  # outside the count: the arguments may need a query
        query = pinned.query(world)
        with django_assert_num_queries(pinned.queries):
            response = client.get(url, query)
        assert response.status_code == pinned.status, size


@pytest.mark.parametrize("url", POST_ONLY, ids=lambda p: p.name)
def test_a_get_to_a_post_only_url_is_refused(url, world, clients):
    assert clients[url.role].get(url.url(world)).status_code == 405
