"""The client is its own distribution: `make test-cli` runs these tests in a venv without Django."""

import os
import subprocess
import sys

SERVER = ("django", "entities", "applications", "dispatch_site")

CODE = """
import pkgutil, sys, importlib
import dispatch_cli
for module in pkgutil.walk_packages(dispatch_cli.__path__, "dispatch_cli."):
    importlib.import_module(module.name)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_it_imports_every_module_without_the_server_or_django(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    result = subprocess.run(
        [sys.executable, "-c", CODE], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )

    loaded = set(result.stdout.split())
    assert "dispatch_cli" in loaded and not loaded & set(SERVER)
