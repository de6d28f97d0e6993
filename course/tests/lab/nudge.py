"""Drives `OwnIdentityConnection.nudge` (lab/kernel_connection.py) against a stand-in for
Jupyter Server's kernel manager and a kernel that answers only from its third request, as a
starting evcxr kernel does, and reports what the nudge sent where. The stand-in has no control
socket to give: asking for one fails the nudge, as Jupyter Server's own nudge would.

Prints one JSON report:
{"slow": {...}, "gone": {...}, "busy": {...}}, each {"sent": [[socket, msg_type], ...],
"shell_closed": bool, "iopub_listening": bool, "seconds": float}.

Run by course/tests/lab.rs with the lab's own Python:

    python nudge.py
"""

import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))
import kernel_connection  # noqa: E402
from kernel_connection import OwnIdentityConnection  # noqa: E402

kernel_connection.NUDGE_EVERY = 0.05  # the same steps, twenty times a second


class Socket:
    """A ZMQ stream as the nudge uses one: it records what is sent and can be answered."""

    def __init__(self, name, sent):
        self.name, self.sent, self.listener, self.is_closed = name, sent, None, False

    def on_recv(self, callback):
        self.listener = callback

    def stop_on_recv(self):
        self.listener = None

    def closed(self):
        return self.is_closed

    def close(self):
        self.is_closed = True

    def deliver(self):
        if self.listener and not self.is_closed:
            self.listener([b"message"])


class Kernel:
    """A kernel manager stand-in: its shell sockets record into `sent`."""

    def __init__(self, sent, state):
        self.sent, self.execution_state = sent, state
        self.ports, self.shells = [1, 2, 3, 4, 5], []

    def connect_shell(self):
        shell = Socket("shell", self.sent)
        self.shells.append(shell)
        return shell

    def connect_control(self):
        raise AssertionError("the nudge asked for a control socket")


async def case(answers_from, state="idle", gone_after=None):
    """The nudge against a kernel that answers from request number `answers_from` on, and is
    no longer managed after `gone_after` requests."""
    sent = []
    kernel = Kernel(sent, state)
    iopub = Socket("iopub", sent)
    iopub.on_recv(lambda _: None)  # the connection's own listener, replaced by the nudge's
    managed = {"k1"}

    def send(socket, msg_type):
        sent.append([socket.name, msg_type])
        if gone_after is not None and len(sent) >= gone_after:
            managed.clear()
        if len(sent) >= answers_from:
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, iopub.deliver)
            loop.call_later(0.02, socket.deliver)

    conn = SimpleNamespace(
        kernel_manager=kernel, channels={"iopub": iopub}, kernel_id="k1",
        multi_kernel_manager=managed, kernel_info_timeout=10,
        session=SimpleNamespace(send=send), log=logging.getLogger("nudge"),
    )
    started = time.monotonic()
    await OwnIdentityConnection.nudge(conn)
    return {
        "sent": sent,
        "shell_closed": all(s.closed() for s in kernel.shells),
        "iopub_listening": iopub.listener is not None,
        "seconds": round(time.monotonic() - started, 3),
    }


async def main():
    report = {
        "slow": await case(answers_from=3),
        "gone": await case(answers_from=99, gone_after=2),
        "busy": await case(answers_from=1, state="busy"),
    }
    print(json.dumps(report))


asyncio.run(main())
