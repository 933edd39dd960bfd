"""The progress bar of long bundles (rich's), on stderr."""

import io

from dispatch_cli import bundles


def test_it_prints_the_finished_bar_once_off_a_terminal():
    stream = io.StringIO()

    sent = b"".join(bundles.upload(b"x" * (2 * bundles.CHUNK + 1), "Sending big.yaml", True, stream))

    assert len(sent) == 2 * bundles.CHUNK + 1
    assert stream.getvalue().startswith("Sending big.yaml [") and stream.getvalue().endswith("] 3/3\n")


def test_it_is_silent_unless_asked_for_or_on_a_terminal_for_a_long_bundle():
    stream = io.StringIO()

    b"".join(bundles.upload(b"x" * 10, "Sending small.yaml", False, stream))

    assert stream.getvalue() == ""
    assert bundles.show_progress(bundles.LONG, None, stream) is False  # not a terminal
    assert bundles.show_progress(1, True, stream) is True
