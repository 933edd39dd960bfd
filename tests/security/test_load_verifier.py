"""The load test's verdict on lost writes (benchmarks/load.py) is only as good as its comparison: given
what the clients were told and what the server reads back, it names every write that went missing."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import load  # noqa: E402 (benchmarks/ is a folder of scripts, not a package)


def test_every_kind_of_lost_write_is_named_and_kept_writes_are_not(monkeypatch):
    app = load.App(name="load-00", token="dsp_x", image="load-00-image")
    app.created = {("functions", "kept"), ("functions", "lost"), ("secrets", "gone"), ("secrets", "undead")}
    app.deleted = {("secrets", "gone"), ("secrets", "undead")}
    app.patched = {"kept": (3, 90), "stale": (5, 10), "overwritten": (2, 30)}
    found = {
        "functions": {
            "kept": {"revision": 3, "timeout": 90},
            "stale": {"revision": 4, "timeout": 10},
            "overwritten": {"revision": 2, "timeout": 60},
        },
        "secrets": {"undead": {}},
    }
    monkeypatch.setattr(load, "read_back", lambda base, app: found)
    assert load.lost_writes("http://127.0.0.1:1", [app]) == [
        "functions lost in load-00: created (201) but missing",
        "secrets undead in load-00: deleted (204) but still there",
        "function overwritten in load-00: PATCH acknowledged revision 2 timeout 30, stored revision 2 "
        "timeout 60",
        "function stale in load-00: PATCH acknowledged revision 5 timeout 10, stored revision 4 timeout 10",
    ]
