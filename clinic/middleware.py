from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Tells browsers and proxies to keep no copy of any page the app renders.

    Pages show patient data; a shared reception computer must not offer them from its
    cache or history after sign-out. Static files are served (and cached) by WhiteNoise
    before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response
