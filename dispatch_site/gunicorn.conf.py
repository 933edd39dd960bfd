"""gunicorn settings for production and the benchmark.

Garbage-collection pauses made a peer project's p99 (DESIGN.md section 6). A full collection walks
every object the collector tracks, so a worker freezes (`gc.freeze()`) what start-up made, then again
what its first requests cached (templates, querysets built once, DRF's and django-filter's classes).
Timed with gc.callbacks over 720 list requests, a full collection took 41.6 ms at the median (59 ms at
most) when only start-up was frozen, and 13.7 ms (16 ms) once the warmed caches were frozen too.

The collector's thresholds stay Python's own (700, 10, 10): raising the young generation's to 50,000
made each of its collections walk everything a few dozen requests left, 59 ms at the median and
75 ms at most, 7.7 % of the time of 720 list requests, against 0.13 ms and 5.2 % with Python's.
"""

import gc

bind = "127.0.0.1:8000"
workers = 2
preload_app = True
max_requests = 5000
max_requests_jitter = 500
accesslog = None

# Requests served by a worker after which it freezes what it holds (a collection first, so that only
# what is alive is frozen): by then the usual pages and API reads have filled their caches.
FREEZE_AFTER = (16, 256, 2048)


def post_fork(server, worker):
    gc.freeze()
    worker.served = 0


def post_request(worker, req, environ, resp):
    worker.served += 1
    if worker.served in FREEZE_AFTER:
        gc.collect()
        gc.freeze()
