"""The browser's connection to a course kernel: a ZMQ identity of its own, and a nudge that
asks the shell channel only.

Jupyter Server connects each browser connection to the kernel's sockets under the client's
session id as ZMQ identity, and a browser that reconnects (a restart, a dropped websocket,
the same notebook opened again) comes back with the same id while the old connection is still
closing. libzmq kernels hand the identity over; evcxr's ZMQ (the zeromq crate, 0.6) does not:
when a peer takes the identity of one that is disconnecting, the reply on its way is lost.
Two clients taking turns at one identity lost a reply within 3 to 11 rounds; with identities
of their own, none in 200. (The same crate can also stop answering anyone when a peer leaves;
kernel_proxy.py keeps every kernel's peers from coming and going.)

So every connection here gets a fresh identity. Replies still reach the right browser:
Jupyter Server routes them by connection, not by identity. The kernel's stdin requests go
to the identity of the shell request they answer, and all four channels of a connection
share its one identity, as before.

When a browser connects, Jupyter Server "nudges" the kernel until it answers: a
`kernel_info_request` every half second on a shell and on a control socket of its own, both
closed once a reply and an IOPub message came. A kernel that is still starting (evcxr runs
its `init.evcxr` and the course prelude before it serves any channel) has by then several
requests queued on that control socket, and evcxr 0.22 ends when it cannot deliver a control
reply (`Codec Error: Broken pipe`, from its control loop): the kernel dies and Jupyter
restarts it, losing the cell the browser sent meanwhile. Measured
(course/tests/lab/control_leaver.py): a starting kernel that finds two or more control
requests from a client that has left dies; with one, it lives. evcxr's shell loop reports
such a failure and goes on, so `nudge` here asks the shell channel only. (Behind
kernel_proxy.py's proxy such a reply goes to the proxy, which drops it; the nudge asks the
shell alone all the same: nothing needs the control socket's answer.)
"""

import asyncio
import uuid

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.ioloop import IOLoop

NUDGE_EVERY = 0.5  # seconds between kernel_info requests while the kernel does not answer


class OwnIdentityConnection(ZMQChannelsWebsocketConnection):
    """A browser's connection to a kernel under a ZMQ identity no other connection uses."""

    def create_stream(self):
        identity = self.session.bsession + b"-" + uuid.uuid4().hex.encode()
        for channel in ("iopub", "shell", "control", "stdin"):
            connect = getattr(self.kernel_manager, "connect_" + channel)
            self.channels[channel] = stream = connect(identity=identity)
            stream.channel = channel

    def nudge(self):
        """A future that settles once the kernel has answered a `kernel_info_request` on a
        shell socket of the nudge's own and this connection's IOPub has carried a message (its
        subscription is live), asking again every `NUDGE_EVERY` seconds; or once the kernel
        is gone, its ports changed or `kernel_info_timeout` passed. At once for a busy kernel,
        whose queued cells would hold the answer up (as Jupyter Server does)."""
        return asyncio.ensure_future(nudge_on_shell(self))


async def nudge_on_shell(conn):
    """`OwnIdentityConnection.nudge`'s work, on any object with a connection's attributes."""
    manager = conn.kernel_manager
    if getattr(manager, "execution_state", None) == "busy":
        return
    shell, iopub = manager.connect_shell(), conn.channels["iopub"]
    ports = list(manager.ports)
    replied, heard = asyncio.Event(), asyncio.Event()
    shell.on_recv(lambda _: replied.set())
    iopub.on_recv(lambda _: heard.set())
    loop, asking, asked, gave_up = IOLoop.current(), None, 0, False

    def ask():
        nonlocal asking, asked, gave_up
        gone = conn.kernel_id not in conn.multi_kernel_manager or list(manager.ports) != ports
        if gone or shell.closed():
            gave_up = True
            replied.set()
            heard.set()
        elif not (replied.is_set() and heard.is_set()):
            conn.session.send(shell, "kernel_info_request")
            asked += 1
            asking = loop.call_later(NUDGE_EVERY, ask)

    async def answered():
        await replied.wait()
        await heard.wait()

    asking = loop.call_later(0, ask)
    try:
        await asyncio.wait_for(answered(), conn.kernel_info_timeout)
        how = "gone or moved; stopped" if gave_up else "answered"
        conn.log.debug("Nudge: kernel %s %s; asked %d time(s)", conn.kernel_id, how, asked)
    except asyncio.TimeoutError:
        conn.log.warning(
            "Nudge: kernel %s did not answer in time (asked %d times; a reply: %s, IOPub: %s)",
            conn.kernel_id, asked, replied.is_set(), heard.is_set(),
        )
    finally:
        loop.remove_timeout(asking)
        if not shell.closed():
            shell.close()
        if not iopub.closed():
            iopub.stop_on_recv()
