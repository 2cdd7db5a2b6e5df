"""What many requests read and few writes change, kept in the shared cache under a
generation.

Each kind of entry has a generation: a random word in the cache. An entry is kept with the
generation seen before it was read, and is used only while that is still the generation.
A write that changes what the entries say starts a new generation once it is committed, so
every older entry is ignored from then on; what was read while the write was on its way
was kept under the old generation, so it is never taken for what came after. The entries'
life is a backstop for a change that nothing announced, not what makes them right.

The cache must be shared by every process that writes (settings.SHARED_CACHE): one
process's memory would not hear of a write made in another. Without it, or when it does
not answer, ``kept`` reads afresh every time.
"""

import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The kinds kept (each module that keeps one says what starts its generation afresh):
# Today's to-do list (clinic/today.py) and the outbox's patients asking to cancel
# (clinic/messaging/views.py); the book's setting, locations and offered types
# (clinic/scheduling/calendar_views.py and selectors.py).
FRONT_DESK_TO_DO = "front-desk:to-do"
BOOK_SETTING = "book:setting"


def generation_key(kind: str) -> str:
    return f"{kind}:generation"


def entry_key(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def kept(kind: str, key: str, read: Callable[[], T], *, seconds: int) -> T:
    """``read()``, or what it gave before while the generation of ``kind`` is the same."""
    if not settings.SHARED_CACHE:
        return read()
    generation_at = generation_key(kind)
    entry_at = entry_key(kind, key)
    try:
        found = cache.get_many([generation_at, entry_at])
        generation = found.get(generation_at)
        if generation is None:
            cache.add(generation_at, secrets.token_hex(8), None)
            generation = cache.get(generation_at)
    except Exception:  # the cache is out of reach: the database answers
        logger.warning("The shared cache did not answer; %s read afresh.", kind)
        return read()
    entry = found.get(entry_at)
    if entry is not None and entry[0] == generation:
        value: T = entry[1]
        return value
    value = read()
    if generation is not None:
        try:
            cache.set(entry_at, (generation, value), seconds)
        except Exception:
            logger.warning("The shared cache did not keep %s.", kind)
    return value


def kept_html(
    kind: str, key: str, template_name: str, read: Callable[[], dict[str, Any]], *, seconds: int
) -> SafeString:
    """A part of a page as ``template_name`` draws it from what ``read()`` gives, kept as
    ``kept`` keeps a value."""
    html = kept(kind, key, lambda: render_to_string(template_name, read()), seconds=seconds)
    return mark_safe(html)  # noqa: S308 - drawn by the template, which escaped it


def new_generation(kind: str) -> None:
    """Once the current transaction commits (at once outside one), every entry of
    ``kind`` kept so far is read afresh."""
    transaction.on_commit(
        lambda: cache.set(generation_key(kind), secrets.token_hex(8), None), robust=True
    )


# --- Receivers that start a kind's generation afresh (connected in the apps' ready()) ----
#
# Module-level functions: a signal keeps only a weak reference to its receivers, so one
# defined inside ready() would be gone as soon as ready() returned.


def _only_a_sign_in(update_fields: Any) -> bool:
    """A save that stamps an account's last sign-in and changes nothing shown."""
    return update_fields is not None and set(update_fields) <= {"last_login"}


def to_do_changed(update_fields: Any = None, **kwargs: Any) -> None:
    """Something the front desk's to-do list shows was saved or deleted."""
    if not _only_a_sign_in(update_fields):
        new_generation(FRONT_DESK_TO_DO)


def book_setting_changed(update_fields: Any = None, **kwargs: Any) -> None:
    """Something the book's setting is read from was saved or deleted."""
    if not _only_a_sign_in(update_fields):
        new_generation(BOOK_SETTING)


def everything_changed(**kwargs: Any) -> None:
    """After a migration (whose writes send no signals): every kind afresh."""
    for kind in (FRONT_DESK_TO_DO, BOOK_SETTING):
        new_generation(kind)
