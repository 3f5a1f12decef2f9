import functools
import ipaddress
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseBadRequest
from django.template import loader
from django.utils import translation
from ipware.ip import get_client_ip


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is refused with 400 before any view sees it.

    No form or filter of the product accepts one, and PostgreSQL cannot hold one in text: passed on, it would
    reach a query and fail as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") or any(
                "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(loader.render_to_string("400.html"))
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the user picked another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office
    machines run English-language browsers; the product's language is Chinese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = dict(settings.LANGUAGES)

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


SESSION_STARTED_KEY = "_auth_started_at"
SESSION_SEEN_KEY = "_auth_seen_at"


@receiver(user_logged_in)
def _remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    """Idle and absolute session timeouts.

    Idle: a session expires SESSION_COOKIE_AGE after it was last saved, so it is saved again (pushing the expiry
    back) whenever SESSION_RENEW_SECONDS have passed since the last time, rather than on every request as
    SESSION_SAVE_EVERY_REQUEST would: the same timeout within a minute, without a database write per page.
    Absolute: SESSION_ABSOLUTE_SECONDS after login the session ends however active it has been, which caps how
    long a stolen or forgotten session can live. A session from before this middleware is counted from now.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.get(SESSION_STARTED_KEY)
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
                messages.info(request, f"登录已超过 {hours} 小时，为了账号安全，请重新登录。")
                return self.get_response(request)
            if now - session.get(SESSION_SEEN_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[SESSION_SEEN_KEY] = now  # marks the session modified: saved, expiry renewed
        return self.get_response(request)


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_ip(request) -> str | None:
    """The client's address, for login lockouts (AXES_CLIENT_IP_CALLABLE) and logs.

    X-Forwarded-For is believed only when the connection itself comes from one of TRUSTED_PROXIES; then
    django-ipware, with axes' proxy settings, takes the address the proxies appended (the spoofable part on
    the left is ignored). Otherwise, and whenever the header gives nothing usable, REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not settings.TRUSTED_PROXIES or not remote:
        return remote
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if not any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES))):
        return remote
    forwarded, _routable = get_client_ip(
        request,
        proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
        proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
        request_header_order=("HTTP_X_FORWARDED_FOR",),
        strict=False,  # extra (spoofed) entries on the left are ignored, not a reason to give up
    )
    return forwarded or remote
