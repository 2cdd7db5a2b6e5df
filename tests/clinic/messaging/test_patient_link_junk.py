"""Every page a patient reaches from an email, given a link that is not one of ours, or is
ours but names nothing: each answers 404 (or 405 for a method the page does not take),
never 500, and shows nothing of anyone.

The links a patient can hold come in five kinds (reply, change, waitlist offer, book a
session, history at home), each signed with its own salt. Here each page gets junk that
no one signed, links signed for another purpose, links signed with another key, and
links signed with the right key and salt whose content is not what the page expects (a
page must not trust a signature to mean a well-formed link).
"""

from urllib.parse import quote

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from clinic.messaging import links

pytestmark = pytest.mark.django_db

# The purpose each page's links are signed for.
PAGES = {
    "messaging:reply": links.SALT,
    "messaging:change": links.CHANGE_APPOINTMENT,
    "messaging:cancel": links.CHANGE_APPOINTMENT,
    "messaging:offer": links.WAITLIST_OFFER,
    "treatments:book_session": links.BOOK_SESSION,
    "treatments:book_session_waitlist": links.BOOK_SESSION,
    "treatments:home_history": links.HOME_HISTORY,
    "treatments:home_history_send": links.HOME_HISTORY,
    "treatments:home_history_consent": links.HOME_HISTORY,
    "treatments:home_history_medicines": links.HOME_HISTORY,
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

# Shapes a page must refuse even under a good signature: not a dict, ids that are not
# whole numbers, ids no row has, ids past any column.
SIGNED_SHAPES = [
    [],
    "1",
    None,
    {},
    {"o": "1", "v": 0},
    {"o": 1.5, "v": 0},
    {"o": 1},
    {"o": 1, "v": "0"},
    {"o": 987654, "v": 0},
    {"o": -1, "v": 0},
    {"o": 2**70, "v": 0},
    {"m": "1"},
    {"m": 2**70},
]


def _tokens(salt: str) -> list[str]:
    others = [purpose for purpose in set(PAGES.values()) if purpose != salt]
    return [
        *UNSIGNED,
        *(signing.dumps(shape, salt=salt) for shape in SIGNED_SHAPES),
        *(signing.dumps({"o": 1, "v": 0, "m": 1}, salt=other) for other in others),
        signing.dumps({"o": 1, "v": 0, "m": 1}, salt=salt, key="not-the-clinic-s-key" * 3),
    ]


def _answer(client, method: str, name: str, token: str):
    cache.clear()  # every request a first try: throttling is tested on its own
    path = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
    if method == "get":
        return client.get(path)
    return client.post(path, {"action": "confirm", "choice": "x", "sunburn": "yes"})


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_link_that_names_nothing_answers_404_never_500(client, name):
    for token in _tokens(PAGES[name]):
        for method in ("get", "post"):
            response = _answer(client, method, name, token)
            assert response.status_code in (404, 405), (method, token, response.status_code)
            if response.status_code == 404:
                said = response.content.decode()
                # The pages say so in words; the type-ahead, which a script asks, in JSON.
                assert "This link does not work" in said or (
                    response.json() == {"error": "This link cannot be used."}
                ), (method, token)
