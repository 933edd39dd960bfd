"""Who a request comes from, and where throttles keep their counts.

`X-Forwarded-For` is written by whoever sends the request, so it is trusted only as far as the
proxies we run: with DISPATCH_TRUSTED_PROXIES = n, each of our n proxies appends the address it saw,
and the client is the n-th entry from the right. With 0 (the default) the header is ignored. Every
throttle and the sign-in counts (applications/signin.py) key on `client_address`, so spoofing the
header gets nobody a fresh count.

The counts live in the "shared" cache (Redis, or a database table): every worker sees the same
counts, and a worker that restarts does not forget them.
"""

import re

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework import throttling

shared_cache = ConnectionProxy(caches, "shared")
NOT_IN_AN_ADDRESS = re.compile(r"[^0-9A-Za-z.:_-]")


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our trusted proxies vouch for."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.DISPATCH_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    # a forged entry may hold anything: keep it to what an address is made of, as a safe cache key
    return NOT_IN_AN_ADDRESS.sub("", addresses[-min(proxies, len(addresses))])[:64] or remote


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, counting in the shared cache and keyed on `client_address`."""

    cache = shared_cache

    def get_ident(self, request):
        return client_address(request)
