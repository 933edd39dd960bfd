"""gunicorn settings for production and the benchmark.

Garbage-collection pauses made a peer project's p99 (DESIGN.md section 6): freeze what start-up made, so
full collections only walk per-request garbage. The collector's thresholds stay Python's own
(700, 10, 10): raising the young generation's to 50,000 made each of its collections walk everything a
few dozen requests left, 59 ms at the median and 75 ms at most, 7.7 % of the time of 720 list
requests, against 0.13 ms, 18.7 ms at most (a full collection) and 5.2 % with Python's.
"""

import gc

bind = "127.0.0.1:8000"
workers = 2
preload_app = True
max_requests = 5000
max_requests_jitter = 500
accesslog = None


def post_fork(server, worker):
    gc.freeze()
