"""Sign-in throttling, so that passwords cannot be guessed at speed.

Every failed sign-in counts against the username tried and against the address it came from, wherever
Django's `authenticate` refuses the credentials (the pages, the admin, the API's token endpoint): the
`user_login_failed` signal. Once a username has DISPATCH_SIGN_IN_FAILURES failures, or an address
DISPATCH_SIGN_IN_ADDRESS_FAILURES, within DISPATCH_SIGN_IN_WINDOW seconds, further sign-ins for it are
answered 429 until the window ends, even with the right password. A successful sign-in clears its
username's count. The counts live in the shared cache (Redis, or a database table: see
applications/throttling.py), so every worker counts together and a restart forgets nothing; the address
is `client_address`, which trusts X-Forwarded-For only from DISPATCH_TRUSTED_PROXIES proxies.
"""

import hashlib
import math
import time
from functools import wraps

from django.conf import settings
from django.shortcuts import render

from .throttling import client_address
from .throttling import shared_cache as cache

PREFIX = "sign-in-failures"


def _counters(request, username: str) -> list[tuple[str, int]]:
    """(cache key, allowed failures) for the username and for the request's address."""
    name = hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()
    counters = [(f"{PREFIX}:user:{name}", settings.DISPATCH_SIGN_IN_FAILURES)]
    address = client_address(request) if request is not None else None
    if address:
        counters.append((f"{PREFIX}:address:{address}", settings.DISPATCH_SIGN_IN_ADDRESS_FAILURES))
    return counters


def wait_seconds(request, username: str) -> int:
    """0 when a sign-in may be tried now, else the seconds until the longest block ends."""
    keys = _counters(request, username)
    found = cache.get_many([key for key, _ in keys] + [f"{key}:until" for key, _ in keys])
    now = time.time()
    waits = [found.get(f"{key}:until", now) - now for key, limit in keys if found.get(key, 0) >= limit]
    # a count the cache has not yet expired (a database cache expires by its own clock) no longer blocks
    waits = [wait for wait in waits if wait > 0]
    return max(1, math.ceil(max(waits))) if waits else 0


def record_failure(sender, credentials, request=None, **kwargs):
    """`user_login_failed` receiver: one more failure for the username and the address."""
    window = settings.DISPATCH_SIGN_IN_WINDOW
    for key, _ in _counters(request, credentials.get("username", "")):
        if cache.add(key, 1, timeout=window):
            cache.set(f"{key}:until", time.time() + window, timeout=window)
        else:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr: a new window
                cache.add(key, 1, timeout=window)


def clear_username(sender, request, user, **kwargs):
    """`user_logged_in` receiver: the right password clears the username's count (not the address's)."""
    key, _ = _counters(None, user.get_username())[0]
    cache.delete_many([key, f"{key}:until"])


def refusal(wait: int) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return f"Too many failed sign-in attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def throttled(view):
    """Wrap a sign-in view (the pages', the admin's): a POST while blocked gets a 429 page that says so
    and how long to wait, and its password is not checked."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            wait = wait_seconds(request, request.POST.get("username", ""))
            if wait:
                response = render(
                    request, "pages/sign_in_refused.html", {"message": refusal(wait)}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapper
