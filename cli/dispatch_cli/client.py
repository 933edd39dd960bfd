"""The REST API over httpx: token header, one-line errors with the HTTP status, pagination."""

import httpx

from .errors import CLIError

PAGE = 1000  # the API's largest page: fewest requests for `get`


class Client:
    def __init__(self, host: str, token: str | None = None, timeout: float = 60.0):
        self.host = host
        headers = {"User-Agent": "dispatch-cli", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            self.http = httpx.Client(base_url=f"{host}/api/v1/", headers=headers, timeout=timeout)
        except httpx.InvalidURL as exc:
            raise CLIError(f"The host {host} is not a URL ({exc}); check --host or DISPATCH_HOST.") from None

    def request(self, method: str, path: str, accept=(), **kwargs) -> httpx.Response:
        """The response; a CLIError for a status of 400 or more, unless `accept` lists it."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise CLIError(
                f"Cannot reach the Dispatch server at {self.host} ({reason}); "
                "check --host or DISPATCH_HOST and that the server runs."
            ) from None
        if response.status_code >= 400 and response.status_code not in accept:
            raise CLIError(_message(response), status=response.status_code, errors=_errors(response))
        return response

    def json(self, method: str, path: str, **kwargs):
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CLIError(
                f"The server at {self.host} did not answer JSON; check that --host names a Dispatch server.",
                status=response.status_code,
            ) from None

    def get_all(self, path: str, params: dict | None = None) -> list:
        """Every item of a paginated list, following `next` links."""
        page = self.json("GET", path, params={**(params or {}), "limit": PAGE})
        if isinstance(page, list):
            return page
        items = list(page["results"])
        while page.get("next"):
            page = self.json("GET", page["next"])
            items += page["results"]
        return items

    def close(self) -> None:
        self.http.close()


def _errors(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("errors") or {} if isinstance(body, dict) else {}


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail")
        if message:
            return str(message)
    if response.status_code == 404:
        return f"Nothing is at {response.request.url.path}; is --host a Dispatch server of this version?"
    return response.reason_phrase or "The server refused the request."
