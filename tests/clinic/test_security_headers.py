"""Every page carries the security headers; pages are never cached."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["login", "today", "audit_log"])
def test_pages_carry_a_strict_policy_and_are_not_cached(manager_client, url_name):
    client = manager_client
    if url_name == "login":
        client.logout()

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_pages_hold_no_inline_script(manager_client):
    html = manager_client.get(reverse("today")).content.decode()

    assert "<script>" not in html
    assert " onclick=" not in html
    for tag in html.split("<script")[1:]:
        assert 'src="/static/' in tag.split(">")[0]


def test_assets_are_served_by_the_app_not_a_cdn(manager_client):
    html = manager_client.get(reverse("today")).content.decode()

    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in html
    assert "//cdn" not in html


def test_an_unknown_address_gets_a_plain_not_found_page(manager_client):
    response = manager_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_page_titles_name_the_page_and_the_clinic(client):
    html = client.get(reverse("login")).content.decode()

    assert "<title>Sign in · Microneedling Clinic</title>" in html
