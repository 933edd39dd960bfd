"""Gateway calls per application in fixed windows, counted in the shared cache of every throttle (Redis
when REDIS_URL is set, else a database table), so every worker shares the count."""

import time

from django.conf import settings

from applications.throttling import shared_cache as cache

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def rate() -> tuple[int, int]:
    """DISPATCH_GATEWAY_RATE as (calls, seconds), e.g. "600/minute" -> (600, 60); 0 calls: no limit."""
    calls, _, period = settings.DISPATCH_GATEWAY_RATE.partition("/")
    return int(calls), PERIODS[period.strip() or "minute"]


def retry_after() -> int:
    _, seconds = rate()
    return seconds - int(time.time()) % seconds


def allow(application) -> bool:
    """Count one call for the application; False once its window's calls are used up."""
    calls, seconds = rate()
    if not calls:
        return True
    key = f"gateway-rate:{application.pk}:{int(time.time()) // seconds}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        return cache.incr(key) <= calls
    except ValueError:  # the key expired between add and incr: a new window has begun
        cache.add(key, 1, timeout=seconds + 1)
        return True
