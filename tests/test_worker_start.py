"""The reader process starts the same way on every system: it connects back to the app on the loopback
interface and proves itself with a token given on its stdin (Windows cannot hand a socket to a child).
Anything else that connects first is turned away."""

from __future__ import annotations

import socket

from lib.returns import worker
from tests import hostile_files as hf


def test_a_stranger_connecting_first_is_turned_away_and_the_reader_still_starts() -> None:
    child = worker.Worker()
    try:
        port = child.listener.getsockname()[1]
        stranger = socket.create_connection(("127.0.0.1", port), timeout=5)
        stranger.sendall(b"not-the-token\n")
        child.wait_ready(30)
        assert child.ready
        stranger.settimeout(5)
        assert stranger.recv(1) == b""  # closed by the app, never served
        stranger.close()
        assert child.listener.fileno() == -1  # no longer listening once its child is connected
    finally:
        child.close()


def test_the_listener_is_on_the_loopback_interface_only() -> None:
    child = worker.Worker()
    try:
        assert child.listener.getsockname()[0] == "127.0.0.1"
        assert child.token not in " ".join(child.proc.args).encode()  # never on the command line
        child.wait_ready(30)
    finally:
        child.close()


def test_reads_work_through_the_connection_back() -> None:
    rows = worker.read_values(hf.xlsx(), ["Sheet1"], timeout=30)
    assert rows and rows[0]
