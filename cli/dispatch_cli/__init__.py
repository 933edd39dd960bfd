"""`dispatch`: the command-line client of Dispatch. It talks to the REST API only (httpx), never to
the database, so it works from any machine that can reach the server."""
