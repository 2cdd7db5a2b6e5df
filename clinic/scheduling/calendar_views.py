"""The appointment book: a time grid per location, its data, a drag that moves, and the
printable day list that is also the page without JavaScript.

The grid page is a small shell; the grid asks ``calendar_data`` for one location and one
visible range, so a day's cost follows the rows shown. Every time crosses as the
location's wall clock ("2026-11-23T09:00") and is converted here with the location's zone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.scheduling import services
from clinic.scheduling.access import BOOK, CHANGE, VIEW
from clinic.scheduling.calendar import (
    By,
    DayColumn,
    FreeStart,
    Shade,
    WallClock,
    day_shades,
    free_cells,
    free_starts_by_column,
    grid_bounds,
    interleave,
    wall_clock,
)
from clinic.scheduling.models import (
    HISTORY_WORDS,
    Appointment,
    AppointmentType,
    Closure,
    Location,
    Room,
    outside_horizon,
)
from clinic.scheduling.selectors import (
    BOOK_SETTING_SECONDS,
    AppointmentRow,
    appointment_rows_at,
    appointments_at,
    closures_over,
    default_type,
    free_slots_for,
    leave_over,
    locations_and_types,
    opening_week,
    practitioner_weeks_at,
    with_badges,
)
from clinic.scheduling.signals import CardBadges, appointment_badges
from clinic.scheduling.views import appointment_for_user
from clinic.shared_cache import BOOK_SETTING, kept
from clinic.staff.access import AnyUser, has_role_permission, require_permission
from clinic.staff.roles import MANAGE_CLINIC
from clinic.staff.web import signed_in_staff
from patients.access import VIEW_PATIENTS

LONGEST_RANGE_DAYS = 7  # the grid asks for a day or a week at a time
SESSION_KEY = "appointment_book"  # the user's last location, view and filter


def require_book_access(user: AnyUser) -> None:
    """Those who book and treat see the book; the clinic manager sees it read-only."""
    if not (has_role_permission(user, VIEW) or has_role_permission(user, MANAGE_CLINIC)):
        raise PermissionDenied


Day = date  # for the forms, whose field "date" hides the type


def _within_book(day: date | None) -> date | None:
    """The book opens on the days every form accepts (``date_horizon``)."""
    problem = outside_horizon(day, timezone.localdate()) if day is not None else None
    if problem:
        raise ValidationError(problem)
    return day


class BookForm(forms.Form):
    """The book's address: a day, a view, a location, a type's free times, one column."""

    date = forms.DateField(required=False)
    by = forms.ChoiceField(
        choices=[("practitioner", "By practitioner"), ("room", "By room")], required=False
    )
    location = forms.IntegerField(required=False, min_value=1)
    type = forms.IntegerField(required=False, min_value=1)
    only = forms.IntegerField(required=False, min_value=1)

    def clean_date(self) -> "Day | None":
        return _within_book(self.cleaned_data.get("date"))


class RangeForm(BookForm):
    """The grid's request: the visible range, first day in, last day out."""

    start = forms.DateField()
    end = forms.DateField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            _within_book(start)
            _within_book(end)
        if start and end and not 0 < (end - start).days <= LONGEST_RANGE_DAYS:
            raise ValidationError(f"Ask for between one and {LONGEST_RANGE_DAYS} days.")
        return cleaned


class DropForm(forms.Form):
    """Where a card was dropped: the location's wall clock, and the column it landed in."""

    start = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "That is not a time the book knows. Try again."},
    )
    by = forms.ChoiceField(choices=[("practitioner", ""), ("room", "")])
    column = forms.IntegerField(min_value=1)

    def clean_start(self) -> datetime:
        start: datetime = self.cleaned_data["start"]
        _within_book(start.date())
        return start


@dataclass
class BookChoice:
    """What the book shows: which location, by what, which type's free times, which day."""

    day: date
    by: By
    locations: list[Location]
    location: Location | None
    types: list[AppointmentType]
    appointment_type: AppointmentType | None
    only: int | None
    notices: list[str]


def _chosen_by_pk(items: list[Any], pk: int | None) -> Any:
    return next((item for item in items if item.pk == pk), None)


def _book_choice(request: HttpRequest, form: BookForm, *, remember: bool) -> BookChoice:
    """The choices the address makes, else the user's last ones (kept in the session),
    else the defaults; a wrong value says so and falls back on its own."""
    form.is_valid()
    cleaned, remembered = form.cleaned_data, request.session.get(SESSION_KEY, {})
    notices = [f"{error} Showing today instead." for error in form.errors.get("date", [])]
    if "by" in form.errors:
        notices.append("There is no such view. Showing the book by practitioner.")
    locations, types = locations_and_types()

    def pick(name: str, items: list[Any], fallback: Any, what: str) -> Any:
        wanted = cleaned.get(name) or (None if form.data.get(name) else remembered.get(name))
        chosen = _chosen_by_pk(items, wanted)
        if chosen is None and form.data.get(name) and fallback is not None:
            notices.append(f"There is no such {what}. Showing {fallback} instead.")
        return chosen or fallback

    location = pick("location", locations, next(iter(locations), None), "location")
    appointment_type = pick("type", types, default_type(types), "appointment type")
    by: By = cleaned.get("by") or remembered.get("by") or "practitioner"
    if by not in ("practitioner", "room"):
        by = "practitioner"
    only = cleaned.get("only") if "only" in form.data else remembered.get("only")
    if "only" not in form.data and remembered.get("by") != by:
        only = None  # a practitioner's id is not a room's
    if remember and location is not None:
        request.session[SESSION_KEY] = {
            "location": location.pk,
            "by": by,
            "type": appointment_type.pk if appointment_type else None,
            "only": only,
        }
    day = cleaned.get("date") or _today_at(location)
    return BookChoice(day, by, locations, location, types, appointment_type, only, notices)


def _today_at(location: Location | None) -> date:
    """The day it is at the location (the clinic's day where there is none yet)."""
    return timezone.now().astimezone(location.zone).date() if location else timezone.localdate()


def zone_note(location: Location) -> str:
    """The location's zone in words where it differs from the clinic's, else nothing."""
    if location.time_zone == settings.TIME_ZONE:
        return ""
    abbreviation = timezone.now().astimezone(location.zone).tzname()
    return f"Times at {location.name} are {location.time_zone} time ({abbreviation})."


# --- The grid page --------------------------------------------------------------------


def _book_page(request: HttpRequest, view: str) -> HttpResponse:
    require_book_access(request.user)
    choice = _book_choice(request, BookForm(request.GET), remember=True)
    can_change = has_role_permission(request.user, CHANGE)
    config: dict[str, object] = {
        "view": view,
        "date": choice.day.isoformat(),
        "today": _today_at(choice.location).isoformat(),  # the grid's "today" button
        "by": choice.by,
        "location": choice.location.pk if choice.location else None,
        "type": choice.appointment_type.pk if choice.appointment_type else None,
        "only": choice.only,
        "dataUrl": reverse("scheduling:calendar_data"),
        "dropUrl": reverse("scheduling:calendar_drop", args=[0]),
        "actionUrl": reverse("scheduling:action", args=[0, "confirm"]),
        "appointmentUrl": reverse("scheduling:appointment", args=[0]),
        "bookingUrl": reverse("scheduling:new"),
        "editable": can_change,
        "canOpen": has_role_permission(request.user, VIEW),  # the appointment's own page
    }
    context = {
        "choice": choice,
        "view": view,
        "config": config,
        "can_change": can_change,
        "zone_note": zone_note(choice.location) if choice.location else "",
        "list_url": _list_url(choice),
    }
    return render(request, "scheduling/calendar_grid.html", context)


def _list_url(choice: BookChoice) -> str:
    params: dict[str, object] = {"date": choice.day.isoformat(), "by": choice.by}
    if choice.location is not None:
        params["location"] = choice.location.pk
    if choice.appointment_type is not None:
        params["type"] = choice.appointment_type.pk
    return f"{reverse('scheduling:calendar_list')}?{urlencode(params)}"


@login_required
@require_GET
def calendar_day(request: HttpRequest) -> HttpResponse:
    """One location's day as a time grid, one column per practitioner or room."""
    return _book_page(request, "day")


@login_required
@require_GET
def calendar_week(request: HttpRequest) -> HttpResponse:
    """One location's week as a time grid."""
    return _book_page(request, "week")


# --- The grid's data ------------------------------------------------------------------


@dataclass
class Column:
    pk: int
    name: str
    hours: dict[int, list[tuple[time, time]]] | None = None  # a practitioner's week here
    user_id: int | None = None  # a practitioner's account


def _working_columns(location: Location, by: By, first_day: date, last_day: date) -> list[Column]:
    """Every practitioner who works here on some day of the range, with their hours, by
    name (or every active room)."""
    if by == "room":
        rooms = Room.objects.filter(location=location, is_active=True).order_by("name")
        return [Column(room.pk, room.name) for room in rooms]
    return [
        Column(p.pk, p.name, p.hours, p.user_id)
        for p in practitioner_weeks_at(location, first_day, last_day)
    ]


def _ordered_columns(
    working: list[Column], named: dict[int, Column], by: By, user: AnyUser
) -> list[Column]:
    """The working columns, any the appointments name besides (``named``), and the
    signed-in practitioner's own column first."""
    known = {column.pk for column in working}
    columns = working + [column for pk, column in named.items() if pk not in known]
    if by == "room" or not user.is_authenticated:
        return columns
    own = [c for c in columns if c.user_id == user.pk]
    return own + [c for c in columns if c.user_id != user.pk]


def _columns(
    location: Location,
    by: By,
    named: dict[int, Column],
    user: AnyUser,
    first_day: date,
    last_day: date,
) -> list[Column]:
    """Every practitioner who works here (or room), any the appointments name besides
    (``named``), and the signed-in practitioner's own column first."""
    return _ordered_columns(_working_columns(location, by, first_day, last_day), named, by, user)


def _named_by(appointments: list[Appointment], by: By) -> dict[int, Column]:
    """The columns the appointments name, in their order."""
    named: dict[int, Column] = {}
    for a in appointments:
        pk = a.room_id if by == "room" else a.practitioner_id
        if pk not in named:
            named[pk] = (
                Column(pk, a.room.name)
                if by == "room"
                else Column(pk, str(a.practitioner), user_id=a.practitioner.user_id)
            )
    return named


# Each badge's words and look, the clearance as on the patient record: the words are
# always shown, so a badge is never told by its colour alone.
BADGES = {
    "cancel": ("Asked to cancel", "text-bg-warning"),
    "yes": ("Cleared for treatment", "text-bg-success"),
    "no": ("Not cleared for treatment", "text-bg-danger"),
    "review": ("Needs review", "text-bg-light border"),
    # A consultation's medical history from home: that it came, nothing of what it says.
    Appointment.HISTORY_RECEIVED: (HISTORY_WORDS[Appointment.HISTORY_RECEIVED], "text-bg-info"),
    Appointment.HISTORY_MISSING: (
        HISTORY_WORDS[Appointment.HISTORY_MISSING],
        "text-bg-light border",
    ),
}


@dataclass(frozen=True)
class Badges:
    """A card's badges: the patient asked to cancel; the clearance word ("" unshown)."""

    cancel_requested: bool = False
    clearance: str = ""

    @property
    def clearance_words(self) -> str:
        return BADGES[self.clearance][0] if self.clearance in BADGES else ""

    @property
    def clearance_look(self) -> str:
        return BADGES[self.clearance][1] if self.clearance in BADGES else ""


def badge_columns(user: AnyUser) -> CardBadges:
    """The columns the apps that know add to the cards' query (asked once a drawing);
    no clearance for those who may not see patients."""
    cancel: Any = None
    clearance: Any = None
    word: Callable[[Any], str] | None = None
    for _receiver, answer in appointment_badges.send(sender=Appointment):
        if not isinstance(answer, CardBadges):
            continue
        cancel = answer.cancel_requested if answer.cancel_requested is not None else cancel
        if answer.clearance is not None:
            clearance, word = answer.clearance, answer.clearance_word
    if not has_role_permission(user, VIEW_PATIENTS):
        clearance, word = None, None
    return CardBadges(cancel_requested=cancel, clearance=clearance, clearance_word=word)


class _CardMaker:
    """Cards as short rows: id, column, start, end, patient, type, status, room or
    practitioner, what the front desk may do now (c confirm, i check in, n no-show,
    m move, x cancel; an undo of a check-in will add its own letter), 1 if the patient
    asked to cancel (else 0), the clearance word ("" where it is not shown), and for a
    consultation whether its medical history came (``Appointment.history_state``).

    What is the same for every card of a request (the zone, today there, the rules for
    each status) is worked out once: a busy day has hundreds of cards."""

    def __init__(
        self, *, by: By, zone: ZoneInfo, now: datetime, can_change: bool,
        badges: CardBadges,
    ) -> None:  # fmt: skip
        self.by_room = by == "room"
        self.zone, self.now, self.can_change = zone, now, can_change
        self.today = now.astimezone(zone).date()
        self.badges = badges
        self._letters: dict[tuple[str, bool, bool], str] = {}
        self._clocks: dict[datetime, tuple[WallClock, date]] = {}

    def clock(self, moment: datetime) -> tuple[WallClock, date]:
        """The wall clock and the day at the location: a day's hundreds of cards start
        and end at a few dozen times."""
        known = self._clocks.get(moment)
        if known is None:
            day = moment.astimezone(self.zone).date()
            known = self._clocks[moment] = (wall_clock(moment, self.zone), day)
        return known

    def letters(self, status: str, on_its_day: bool, started: bool) -> str:
        key = (status, on_its_day, started)
        if key not in self._letters:
            allowed = Appointment.allowed(status, on_its_day=on_its_day, started=started)
            rules = (
                ("c", allowed.confirm),
                ("i", allowed.check_in),
                ("n", allowed.no_show),
                ("m", allowed.move),
                ("x", allowed.cancel),
            )
            self._letters[key] = "".join(letter for letter, yes in rules if yes)
        return self._letters[key]

    def card(self, row: AppointmentRow) -> list[object]:
        starts, day = self.clock(row.starts_at)
        actions = ""
        if self.can_change:
            actions = self.letters(row.status, day == self.today, row.starts_at <= self.now)
        return [
            row.pk,
            row.room_id if self.by_room else row.practitioner_id,
            starts,
            self.clock(row.ends_at)[0],
            row.patient_name,
            row.appointment_type_id,
            row.status,
            row.practitioner_name if self.by_room else row.room_name,
            actions,
            int(row.cancel_requested),
            self.badges.clearance_of(row.clearance),
            Appointment.history_state(row.type_kind, row.history_received_at),
        ]


def _shades(
    *,
    opening: dict[int, list[tuple[time, time]]],
    closures: list[Closure],
    columns: list[Column],
    days: list[date],
    grid: tuple[time, time],
) -> list[Shade]:
    """Closed days and hours for everyone; days off and hours off per practitioner."""
    closed = {}
    for closure in closures:
        for day in days:
            if closure.first_day <= day <= closure.last_day:
                closed[day] = closure.reason or "closure"
    shades: list[Shade] = []
    for day in days:
        hours = opening.get(day.weekday(), [])
        shades += day_shades(
            day=day, opening=hours, closure_reason=closed.get(day),
            grid_from=grid[0], grid_until=grid[1],
        )  # fmt: skip
        if day in closed or not hours:
            continue
        for column in columns:
            if column.hours is None:
                continue
            working = column.hours.get(day.weekday(), [])
            label = "Not working" if working else "Day off"
            for shade in day_shades(
                day=day, opening=working, closure_reason=None,
                grid_from=grid[0], grid_until=grid[1],
            ):  # fmt: skip
                shades.append(Shade(column.pk, shade.starts, shade.ends, label))
    return shades


def _leave_shades(location: Location, columns: list[Column], days: list[date]) -> list[Shade]:
    practitioner_ids = [c.pk for c in columns if c.hours is not None]
    if not practitioner_ids:
        return []
    zone = location.zone
    return [
        Shade(
            leave.practitioner_id,
            wall_clock(leave.starts_at, zone),
            wall_clock(leave.ends_at, zone),
            f"Leave: {leave.reason}" if leave.reason else "Leave",
        )
        for leave in leave_over(practitioner_ids, days[0], days[-1], zone)
    ]


@dataclass(frozen=True)
class BookSetting:
    """What the grid draws around the appointments of a location and range, all of it
    set up by the manager and seldom changed: the columns that work there (practitioners
    with their hours, or rooms), the grid's bounds from the opening hours, and the shades
    (closed, hours off, days off, leave)."""

    columns: list[Column]
    grid: tuple[time, time]
    shades: list[Shade]


def _read_book_setting(location: Location, by: By, days: list[date]) -> BookSetting:
    """In four queries: the columns, opening hours, closures, leave."""
    columns = _working_columns(location, by, days[0], days[-1])
    opening = opening_week(location, days[0], days[-1])
    grid = grid_bounds(span for spans in opening.values() for span in spans)
    closures = closures_over(location, days[0], days[-1])
    shades = _shades(opening=opening, closures=closures, columns=columns, days=days, grid=grid)
    if by == "practitioner":
        shades += _leave_shades(location, columns, days)
    return BookSetting(columns, grid, shades)


def book_setting(location: Location, by: By, days: list[date]) -> BookSetting:
    """``_read_book_setting``, kept in the shared cache under the book setting's
    generation, which a save of anything it is read from starts afresh (ready() in
    clinic/scheduling/apps.py)."""
    return kept(
        BOOK_SETTING,
        f"{location.pk}:{by}:{days[0]}:{days[-1]}",
        lambda: _read_book_setting(location, by, days),
        seconds=BOOK_SETTING_SECONDS,
    )


def _free_rows(
    location: Location, appointment_type: AppointmentType, by: By, days: list[date]
) -> list[list[object]]:
    """The type's free starts from now on: column, start, and the room (or practitioner)
    free with it, so that one click opens the booking page filled in."""
    slots = free_slots_for(
        location=location,
        appointment_type=appointment_type,
        first_day=days[0],
        last_day=days[-1],
        not_before=timezone.now(),
    )
    return free_cells(slots, by=by, zone=location.zone)


def book_data(
    *,
    location: Location,
    first_day: date,
    last_day: date,
    by: By,
    user: AnyUser,
    appointment_type: AppointmentType | None,
    only: int | None = None,
) -> dict[str, object]:
    """Everything the grid draws for one location and range, in a fixed number of
    queries: appointments with their badges (1), the setting (4: columns, opening hours,
    closures, leave; none while the shared cache keeps it), and for those who book the
    free starts (7)."""
    now, zone = timezone.now(), location.zone
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    badges = badge_columns(user)
    rows = appointment_rows_at(location, first_day, last_day, badges=badges)
    by_room = by == "room"
    named: dict[int, Column] = {}
    for row in rows:
        pk = row.room_id if by_room else row.practitioner_id
        if pk not in named:
            named[pk] = (
                Column(pk, row.room_name)
                if by_room
                else Column(pk, row.practitioner_name, user_id=row.practitioner_user_id)
            )
    setting = book_setting(location, by, days)
    columns = _ordered_columns(setting.columns, named, by, user)
    every_column = [[c.pk, c.name] for c in columns]
    if only is not None and any(c.pk == only for c in columns):
        columns = [c for c in columns if c.pk == only]
        rows = [r for r in rows if (r.room_id if by_room else r.practitioner_id) == only]
    grid = setting.grid
    maker = _CardMaker(
        by=by, zone=zone, now=now, can_change=has_role_permission(user, CHANGE),
        badges=badges,
    )  # fmt: skip
    cards = [maker.card(row) for row in rows]
    shades = setting.shades
    free = []
    if appointment_type is not None and has_role_permission(user, BOOK):
        free = _free_rows(location, appointment_type, by, days)
    keep = {c.pk for c in columns}
    return {
        "zone": zone_note(location),
        "grid": [f"{grid[0]:%H:%M}", f"{grid[1]:%H:%M}"],
        "columns": [[c.pk, c.name] for c in columns],
        "everyColumn": every_column,  # for the filter, whichever one is shown
        "types": {row.appointment_type_id: row.type_name for row in rows},
        "statuses": dict(Appointment.Status.choices),
        "badges": BADGES,
        "appointments": cards,
        "shades": [s.as_row() for s in shades if s.column is None or s.column in keep],
        "free": [row for row in free if row[0] in keep],
        "freeType": appointment_type.pk if free and appointment_type else None,
    }


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_GET
def calendar_data(request: HttpRequest) -> JsonResponse:
    """The grid's data for one location and a visible range of at most a week."""
    require_book_access(request.user)
    form = RangeForm(request.GET)
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        return _refusal(" ".join(errors), 400)
    choice = _book_choice(request, form, remember=False)
    if choice.location is None:
        return _refusal("There is no location yet. The clinic manager adds one in setup.", 400)
    payload = book_data(
        location=choice.location,
        first_day=form.cleaned_data["start"],
        last_day=form.cleaned_data["end"] - timedelta(days=1),
        by=choice.by,
        user=request.user,
        appointment_type=choice.appointment_type,
        only=choice.only,
    )
    return JsonResponse(payload | {"notices": choice.notices})


@login_required
@require_POST
def calendar_drop(request: HttpRequest, pk: int) -> JsonResponse:
    """A card dropped at a new time (or into another room's column): the same move as
    the appointment page. A clash answers 409 and any other refusal 400, each with the
    words the grid shows as it puts the card back."""
    require_permission(request.user, CHANGE)
    appointment = appointment_for_user(request.user, pk)
    form = DropForm(request.POST)
    if not form.is_valid():
        words = (
            " ".join(str(e) for e in form.errors.get("start", []))
            or "That is not a place in the book."
        )
        return _refusal(words, 400)
    room = None
    if form.cleaned_data["by"] == "room" and form.cleaned_data["column"] != appointment.room_id:
        room = Room.objects.filter(pk=form.cleaned_data["column"]).first()
        if room is None:
            return _refusal("There is no such room.", 400)
    elif form.cleaned_data["by"] == "practitioner" and (
        form.cleaned_data["column"] != appointment.practitioner_id
    ):
        return _refusal(
            "An appointment keeps its practitioner: cancel it and book with another.", 400
        )
    zone = appointment.location.zone
    start = form.cleaned_data["start"].replace(tzinfo=zone)
    try:
        moved = services.appointment_move(
            appointment=appointment,
            start=start,
            by=signed_in_staff(request),
            room=room,
            now=timezone.now(),
        )
    except services.SlotTaken:
        return _refusal(services.SlotTaken.message, 409)
    except ValidationError as exc:
        return _refusal(" ".join(exc.messages), 400)
    local = moved.starts_at.astimezone(zone)
    return JsonResponse(
        {
            "message": f"Moved to {local:%A %-d %B} at {local:%H:%M}.",
            "start": wall_clock(moved.starts_at, zone),
        }
    )


# --- The printable day list, which is also the book without JavaScript ----------------


def _list_link(choice: BookChoice, day: date | None, by: By) -> str:
    params: dict[str, object] = {"date": day.isoformat()} if day else {}
    params["by"] = by
    if choice.appointment_type is not None:
        params["type"] = choice.appointment_type.pk
    if choice.location is not None:
        params["location"] = choice.location.pk
    return f"{reverse('scheduling:calendar_list')}?{urlencode(params)}"


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """One location's day, a list per practitioner (or room) with the chosen type's free
    starts between the appointments for those who book; printed, one column a page."""
    require_book_access(request.user)
    choice = _book_choice(request, BookForm(request.GET), remember=False)
    day, by, location = choice.day, choice.by, choice.location
    columns: list[DayColumn[Appointment]] = []
    badges: dict[int, Badges] = {}
    can_book = has_role_permission(request.user, BOOK)
    if location is not None:
        shown = badge_columns(request.user)
        appointments = list(with_badges(appointments_at(location, day, day), shown))
        free: dict[int, list[FreeStart]] = {}
        if can_book and choice.appointment_type is not None:
            slots = free_slots_for(
                location=location, appointment_type=choice.appointment_type,
                first_day=day, last_day=day, not_before=timezone.now(),
            )  # fmt: skip
            free = free_starts_by_column(
                slots, by=by, appointment_type_id=choice.appointment_type.pk, zone=location.zone
            )
        badges = {
            a.pk: Badges(
                bool(a.badge_cancel_requested),  # type: ignore[attr-defined]
                shown.clearance_of(a.badge_clearance),  # type: ignore[attr-defined]
            )
            for a in appointments
        }
        named = _named_by(appointments, by)
        for head in _columns(location, by, named, request.user, day, day):
            column = DayColumn[Appointment](head.pk, head.name)
            column.appointments = [
                a
                for a in appointments
                if (a.room_id if by == "room" else a.practitioner_id) == head.pk
            ]
            column.entries = interleave(
                column.appointments, free.get(head.pk, []), start_of=lambda a: a.starts_at
            )
            columns.append(column)
    context = {
        "day": day,
        "by": by,
        "offer": choice,
        "columns": columns,
        "badges": badges,
        "show_room": by != "room",
        "can_book": can_book,
        "zone": location.zone if location else None,
        "zone_note": zone_note(location) if location else "",
        "notices": choice.notices,
        "booking_url": reverse("scheduling:new"),
        "grid_url": reverse("scheduling:calendar_day")
        + "?"
        + urlencode(
            {"date": day.isoformat(), "by": by} | ({"location": location.pk} if location else {})
        ),
        "links": {
            "previous": _list_link(choice, day - timedelta(days=1), by),
            "today": _list_link(choice, None, by),
            "next": _list_link(choice, day + timedelta(days=1), by),
            "by_practitioner": _list_link(choice, day, "practitioner"),
            "by_room": _list_link(choice, day, "room"),
        },
    }
    return render(request, "scheduling/calendar_list.html", context)
