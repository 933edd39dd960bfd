"""gunicorn settings for production and the benchmark.

Garbage-collection pauses made a peer project's p99 (DESIGN.md section 6): freeze what start-up made, so
full collections only walk per-request garbage, and collect the young generation less often.
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
    gc.set_threshold(50_000, 50, 100)
