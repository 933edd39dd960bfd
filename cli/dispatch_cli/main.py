"""`dispatch`: get, create, update, delete and export Dispatch's resources through its REST API.

The command line is parsed in dispatch_cli.parser; each command is a `cmd_*` of dispatch_cli.commands,
given the Session (settings, API client, output mode, streams).

Exit status: 0 on success; 1 for every refused command (the server refused or could not be reached,
a file could not be read, …); 2 only for a malformed command line. Every failure is one line on
stderr, with the HTTP status when there was an answer.

`-o json` and `-o yaml` print Dispatch's documents (camelCase fields, `tags: [{key, value}]`), the
shape bundles use, so `dispatch get function hello -o yaml | dispatch update -f -` applies back.
"""

import os
import sys

from .errors import CLIError
from .parser import build_parser
from .session import Session


def main(argv: list[str] | None = None, out=None, err=None, stdin=None) -> int:
    """Run one command; the exit status is the return value (the console script exits with it)."""
    out, err = out or sys.stdout, err or sys.stderr
    session = None
    try:
        args = build_parser().parse_args(argv)
        session = Session(args, out, err, stdin)
        args.command_handler(session)
        return 0
    except CLIError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("error: interrupted.", file=err)
        return 130
    except BrokenPipeError:  # `dispatch get … | head`: the reader has gone, which is no error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if session is not None:
            session.close()


if __name__ == "__main__":
    sys.exit(main())
