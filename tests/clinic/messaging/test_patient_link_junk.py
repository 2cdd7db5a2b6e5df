"""Every page a patient reaches from an email, given a link that is not one of ours, or is
ours but not as we make them: each answers 404 (or 405 for a method the page does not
take), never 500, and shows nothing of anyone; an expired link answers 410.

The links a patient can hold come in five kinds (reply, change, waitlist offer, book a
session, history at home), each signed with its own salt. Here each page gets junk that
no one signed, links signed for another purpose, links signed with another key, and
links signed with the right key and salt whose content is not what the page expects,
about a row that exists (a page must not trust a signature to mean a well-formed link).
"""

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from clinic.messaging import links
from tests.page_world import World, build_world
from tests.test_page_query_counts import MONDAY

pytestmark = pytest.mark.django_db

# Each page: the purpose its links are signed for, and the world's link of that kind.
PAGES = {
    "messaging:reply": (links.SALT, "reply_token"),
    "messaging:change": (links.CHANGE_APPOINTMENT, "change_token"),
    "messaging:cancel": (links.CHANGE_APPOINTMENT, "change_token"),
    "messaging:offer": (links.WAITLIST_OFFER, "offer_token"),
    "treatments:book_session": (links.BOOK_SESSION, "book_token"),
    "treatments:book_session_waitlist": (links.BOOK_SESSION, "book_token"),
    "treatments:home_history": (links.HOME_HISTORY, "home_history_token"),
    "treatments:home_history_send": (links.HOME_HISTORY, "home_history_token"),
    "treatments:home_history_consent": (links.HOME_HISTORY, "home_history_token"),
    "treatments:home_history_medicines": (links.HOME_HISTORY, "home_history_token"),
}

UNSIGNED = [
    "x",
    "A" * 5000,
    "\x00",
    "ñ✓ \u202e",
    "..",
    "eyJvIjoxfQ:1vAAAA:bad",
    "eyJvIjoxfQ::",
    ":" * 3,
    "%00%ff",
]


def _misshapen(key: str, object_id: int) -> list[Any]:
    """What a page must refuse under a good signature, though it names a row that is
    there: not a dict, an id that is not a whole number, a part missing or mistyped;
    and ids no row has or no column holds."""
    return [
        [],
        [object_id],
        str(object_id),
        None,
        {},
        {key: str(object_id), "v": 0},
        {key: float(object_id), "v": 0},
        {key: [object_id], "v": 0},
        {key: object_id, "v": "0"} if key == "o" else {"o": object_id},
        {key: 987654, "v": 0},
        {key: -1, "v": 0},
        {key: 2**70, "v": 0},
    ]


@pytest.fixture
def world(front_desk, practitioner, manager):
    with time_machine.travel(MONDAY, tick=False):
        yield build_world(front_desk, practitioner, manager)


def _path(name: str, token: str) -> str:
    return reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))


def _answer(client, method: str, name: str, token: str):
    cache.clear()  # every request a first try: throttling is tested on its own
    path = _path(name, token)
    if method == "get":
        return client.get(path)
    return client.post(path, {"action": "confirm", "choice": "x", "sunburn": "yes"})


def _real(world: World, name: str) -> tuple[str, str, int]:
    """The world's good link for the page, and the id it names under which key."""
    salt, attribute = PAGES[name]
    token = getattr(world, attribute)
    data = signing.loads(token, salt=salt)
    key = "m" if salt == links.SALT else "o"
    return token, key, data[key]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_link_not_as_we_make_them_answers_404_never_500(client, world, name):
    salt = PAGES[name][0]
    with time_machine.travel(MONDAY, tick=False):
        token, key, object_id = _real(world, name)
        # The good link reaches the page (the type-ahead, asked nothing, says so: 400),
        # so the refusals below are the link's, not the world's.
        assert _answer(client, "get", name, token).status_code in (200, 302, 400, 405)
        others = {purpose for purpose, _ in PAGES.values()} - {salt}
        tokens = [
            *UNSIGNED,
            *(signing.dumps(shape, salt=salt) for shape in _misshapen(key, object_id)),
            *(signing.dumps({key: object_id, "v": 0}, salt=other) for other in others),
            signing.dumps({key: object_id, "v": 0}, salt=salt, key="not-the-clinic-s-key" * 3),
        ]
        for bad in tokens:
            for method in ("get", "post"):
                response = _answer(client, method, name, bad)
                assert response.status_code in (404, 405), (method, bad, response.status_code)
                if response.status_code == 404:
                    said = response.content.decode()
                    # The pages say so in words; the type-ahead, which a script asks, in JSON.
                    assert "This link does not work" in said or (
                        response.json() == {"error": "This link cannot be used."}
                    ), (method, bad)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_an_expired_link_answers_410_never_500(client, world, settings, name):
    with time_machine.travel(MONDAY, tick=False):
        token = _real(world, name)[0]
    later = MONDAY + settings.MESSAGE_LINK_MAX_AGE + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        for method in ("get", "post"):
            response = _answer(client, method, name, token)
            assert response.status_code in (405, 410), (method, response.status_code)
