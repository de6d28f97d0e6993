"""The browser's connection to a course kernel, with a ZMQ identity of its own.

Jupyter Server connects each browser connection to the kernel's sockets under the client's
session id as ZMQ identity, and a browser that reconnects (a restart, a dropped websocket,
the same notebook opened again) comes back with the same id while the old connection is still
closing. libzmq kernels hand the identity over; evcxr's ZMQ (the zeromq crate, 0.6) does not:
when a peer takes the identity of one that is disconnecting, the reply on its way is lost, and
at times the kernel's shell stops answering anyone (a deadlock inside the crate, seen in a
hung kernel's stack: `GenericSocketBackend::peer_disconnected`). Two clients taking turns at
one identity lost a reply within 3 to 11 rounds; with identities of their own, none in 200.

So every connection here gets a fresh identity. Replies still reach the right browser:
Jupyter Server routes them by connection, not by identity. The kernel's stdin requests go
to the identity of the shell request they answer, and all four channels of a connection
share its one identity, as before.
"""

import uuid

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class OwnIdentityConnection(ZMQChannelsWebsocketConnection):
    """A browser's connection to a kernel under a ZMQ identity no other connection uses."""

    def create_stream(self):
        identity = self.session.bsession + b"-" + uuid.uuid4().hex.encode()
        for channel in ("iopub", "shell", "control", "stdin"):
            connect = getattr(self.kernel_manager, "connect_" + channel)
            self.channels[channel] = stream = connect(identity=identity)
            stream.channel = channel
