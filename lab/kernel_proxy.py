"""A course kernel behind a ZMQ proxy in the server: the kernel sees one peer on each channel
for its whole life, however often browsers and the server's own sockets come and go.

evcxr 0.22's ZMQ (the zeromq crate, 0.6) can stop answering for good when a peer leaves: its
shell task takes the departed peer off its table with a blocking lock (`remove_sync` in
`GenericSocketBackend::peer_disconnected`) on a tokio worker, while the task the lock was
handed to waits on that same worker, where no other worker may take it over. gdb on a hung
kernel shows the shell task parked there and every other worker idle. Jupyter Server opens
and closes shell sockets all the time (one per browser connection, one per nudge, one to ask
a new kernel's protocol version), so sooner or later a kernel in `course lab` stopped
answering. Measured with course/tests/lab/peer_churn.py (clients that connect, ask for
`kernel_info` and leave, while another client asks every 0.2 s), a kernel on its own hung
after 496 to 2,405 departures in four runs (BENCHMARKS.md).

So `ProxiedKernelManager` starts the kernel on ports of its own and puts a proxy on the ports
its clients know: a ROUTER in front of a DEALER for shell, control and stdin (the client's
identity travels as an extra routing frame, which evcxr hands back with the reply, as the
Jupyter protocol asks of kernels), an XPUB in front of an XSUB for IOPub. The proxy runs in
libzmq (`zmq.proxy_steerable`, one thread a channel, outside the GIL); the heartbeat port goes
to the kernel as it is. A reply to a client that has left is dropped by the ROUTER, where
evcxr would have failed to send it (a failure its control loop ends on: the reason
kernel_connection.py's nudge asks the shell channel only).
"""

import os
import threading
import uuid

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.ioloop import AsyncIOLoopKernelManager

# Channel -> (the socket type clients reach, the socket type that talks to the kernel).
ROUTED = {"shell": (zmq.ROUTER, zmq.DEALER), "control": (zmq.ROUTER, zmq.DEALER),
          "stdin": (zmq.ROUTER, zmq.DEALER), "iopub": (zmq.XPUB, zmq.XSUB)}


class KernelProxy:
    """Forwards each channel between the ports in `public` (bound here) and the kernel's
    ports in `private` (connected to), until `stop`."""

    def __init__(self, public, private):
        self.context = zmq.Context(io_threads=1)
        self.threads, self.stoppers, self.sockets = [], [], []
        # The kernel sends a stdin request to the identity of the shell request it answers,
        # so the proxy's shell and stdin sockets take one identity (without it a cell's
        # `evcxr_input::get_string` got no input box and an empty answer:
        # course/tests/lab/stdin_prompt.py).
        identity = b"course-proxy-" + uuid.uuid4().hex.encode()
        try:
            for channel, (front_type, back_type) in ROUTED.items():
                front = self._socket(front_type)
                if front_type == zmq.ROUTER:
                    # A client that comes back under its identity takes it over at once, as
                    # with ipykernel's sockets (libzmq would refuse it until the old one left).
                    front.router_handover = 1
                front.bind(f"tcp://{public['ip']}:{public[channel + '_port']}")
                back = self._socket(back_type)
                if back_type == zmq.DEALER:
                    back.identity = identity
                back.connect(f"tcp://{private['ip']}:{private[channel + '_port']}")
                if back_type == zmq.XSUB:
                    back.send(b"\x01")  # every topic, before any client subscribes
                self._start(channel, front, back)
        except BaseException:
            self.stop()
            raise

    def _socket(self, kind):
        s = self.context.socket(kind)
        s.linger = 0
        # No high-water mark: at one, a ROUTER or XPUB drops what a slow client has not read
        # yet (a cell's output), where evcxr would wait for it.
        s.sndhwm = s.rcvhwm = 0
        self.sockets.append(s)
        return s

    def _start(self, channel, front, back):
        address = f"inproc://stop-{channel}"
        listen, stopper = self._socket(zmq.PAIR), self._socket(zmq.PAIR)
        listen.bind(address)
        stopper.connect(address)
        thread = threading.Thread(
            target=zmq.proxy_steerable, args=(front, back, None, listen),
            name=f"kernel-proxy-{channel}", daemon=True,
        )
        thread.start()
        self.threads.append(thread)
        self.stoppers.append(stopper)

    def stop(self):
        """Ends every channel's forwarding and frees the public ports."""
        for stopper in self.stoppers:
            stopper.send(b"TERMINATE")
        for thread in self.threads:
            thread.join(5)
        for s in self.sockets:
            s.close(linger=0)
        self.context.term()
        self.threads, self.stoppers, self.sockets = [], [], []


class Proxied:
    """Puts a kernel manager's kernel on ports of its own behind a `KernelProxy` (a mixin
    for any of jupyter_client's kernel managers)."""

    _proxy = None
    _private_file = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.transport != "tcp" or self.connection_file not in kernel_cmd:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        public = self.get_connection_info()
        root, ext = os.path.splitext(self.connection_file)
        # The routed channels' ports left at 0: jupyter_client picks free ones.
        routed = {channel + "_port" for channel in ROUTED}
        kept = {k: v for k, v in public.items() if k not in routed}
        self._private_file, private = write_connection_file(root + "-kernel" + ext, **kept)
        self._proxy = KernelProxy(public, private)
        cmd = [self._private_file if arg == self.connection_file else arg for arg in kernel_cmd]
        try:
            await super()._async_launch_kernel(cmd, **kw)
        except BaseException:
            self._stop_proxy()
            raise

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        self._stop_proxy()

    def _stop_proxy(self):
        if self._proxy is not None:
            self._proxy.stop()
            self._proxy = None
        if self._private_file is not None:
            try:
                os.remove(self._private_file)
            except FileNotFoundError:
                pass
            self._private_file = None


class ProxiedKernelManager(Proxied, AsyncIOLoopKernelManager):
    """The kernel manager of each kernel Jupyter Server starts for `course lab` and the hub."""
