"""The original Dispatch example bundles (copied unchanged from ../shared/dispatch-examples), laid out
in a folder with the handler source files their `sourcePath`s name, as a user would have them."""

import shutil
from pathlib import Path

DATA = Path(__file__).parent / "data"

# sourcePath in seed.yaml -> a small handler in that language
SOURCES = {
    "python3/hello.py": "def handle(ctx, payload):\n    return {'myField': 'Hello, ' + payload['name']}\n",
    "python3/http_func.py": "def handle(ctx, payload):\n    return {'status': 200}\n",
    "nodejs/hello.js": "module.exports = function (context, params) {\n  return {myField: 'Hello'};\n};\n",
    "powershell/hello.ps1": "function handle($context, $payload) {\n  return @{myField='Hello'}\n}\n",
}


def lay_out(folder: Path) -> Path:
    """Copy the example files into `folder` and write the sources they name; returns the folder."""
    for name in ("images.yaml", "seed.yaml", "secret.json", "hello.schema.in.json", "hello.schema.out.json"):
        shutil.copy(DATA / name, folder / name)
    for relative, text in SOURCES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder
