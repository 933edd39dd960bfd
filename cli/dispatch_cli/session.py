"""What a command needs: resolved settings, an API client, the output mode and the streams."""

import sys

from . import output
from .client import Client
from .config import resolve
from .errors import CLIError


class Session:
    def __init__(self, args, out, err, stdin=None):
        self.args = args
        self.settings = resolve(args)
        self.out, self.err, self.stdin = out, err, stdin or sys.stdin
        self.mode = "json" if getattr(args, "json", False) else (getattr(args, "output", None) or "table")
        self._client = None

    @property
    def client(self) -> Client:
        if self._client is None:
            if not self.settings.token:
                raise CLIError(
                    "You are not logged in; run `dispatch login` or set DISPATCH_TOKEN.", exit_code=1
                )
            self._client = Client(self.settings.host, self.settings.token)
        return self._client

    def print(self, data, kind_name=None) -> None:
        print(output.render(data, self.mode, kind_name), file=self.out)

    def say(self, text: str, data=None) -> None:
        """A confirmation; in json/yaml mode the object instead."""
        if self.mode in ("json", "yaml") and data is not None:
            self.print(data)
        else:
            print(text, file=self.out)

    def app_params(self) -> dict:
        """The current application as the API's filter, when there is one."""
        app = self.settings.application
        return {"application": app} if app else {}

    def documents(self, kind_name: str, params: dict) -> list[dict]:
        """One kind's entities as Dispatch documents (`GET bundles/?kind=`), filtered like its list."""
        return self.client.get_all("bundles/", {**params, "kind": kind_name})

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
