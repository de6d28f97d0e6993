"""Warm course kernels kept ready in JupyterLab, so a lesson's first cell answers like a later one.

A fresh evcxr kernel spends its first seconds starting, building its `:dep` cell and, at the
first `let`, having rust-analyzer load the crate graph (BENCHMARKS.md, "Where a cell's time
goes"). This kernel manager pays that ahead of time: for each way the lessons load the course
crate (each distinct opening in the notebooks folder: the `:dep backprop ...` line and the
`use` lines of its cell) it keeps `pool_size` kernels that have started, run that opening,
had evcxr check a cell (`CHECK`) and typed a variable (then dropped it, so the learner's kernel
holds no variable of ours). When a lesson in that folder opens, a kernel that ran its opening
is handed over at once, so the lesson's first cell changes nothing and answers at once, and a
new one is warmed a little later (`refill_delay`, so the warm-up does not compete with the
learner's first cells).

The first warm-up of the lessons that load polars compiles polars into evcxr's cache (minutes
the first time on a machine); its progress goes to the server's log, the terminal that runs
`course lab`. Pool kernels are hidden from the list of running kernels and are shut down with
the server. `course lab` turns this on (`--pool N`, 0 for none); any notebook outside the
folder, or on another kernel, starts as usual.

evcxr numbers every cell it runs, the warm-up's included, and its count cannot be reset; so
`RenumberingConnection` takes the warm-up's cells off the numbers a pooled kernel sends to
the browser, and the learner's first cell shows the number a fresh kernel would give it.

The pool has run the lesson's opening, so when the first cell a learner runs on a pooled
kernel is that opening (its lines and nothing else), `RenumberingConnection` answers it at
once, as the kernel answered the pool: ok, with the number the kernel gave the pool's run
(the number a fresh kernel gives its first cell) and no output. An opening that showed
anything in the warm-up is not answered this way. Running it again would change nothing but
cost a build (1.3 s with polars, 0.4 s without). Any other first cell, and every later one,
goes to the kernel.
"""

import asyncio
import fcntl
import json
import os
import re
import tempfile
import time

from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
)
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from kernel_connection import OwnIdentityConnection
from traitlets import Float, Int, Unicode

DEP_LINE = re.compile(r"^[ \t]*:dep[ \t]+backprop\b.*$", re.M)
USE_LINE = re.compile(r"^[ \t]*use[ \t][^{}]*;[ \t]*$")
WARM_UP = ["let pool_warm_up = String::new();", "drop(pool_warm_up);"]
# A cell whose new variable rust-analyzer cannot type: evcxr then runs `cargo check`, whose
# artifacts are its own. The first such cell in a build slot checks every dependency (26 s
# with polars on 2 cores; BENCHMARKS.md), and a learner's typo is such a cell; the warm-up
# pays it instead. It fails on the unknown name, as it should.
CHECK = "let pool_check = pool_unknown;"
CHECK_ERROR = "cannot find value `pool_unknown`"
# The messages that carry a cell's number.
NUMBERED = {"execute_input", "execute_result", "execute_reply"}


def cache_lock_path():
    """The lock `:dep` cells take turns at evcxr's build cache with (course/src/exec/cache.rs,
    kernel/launch): a `:dep` that reads the cache while another writes it can fail."""
    slots = os.environ.get("BACKPROP_KERNEL_SLOTS") or os.path.join(
        tempfile.gettempdir(), f"backprop-course-kernels-{os.getuid()}"
    )
    os.makedirs(slots, exist_ok=True)
    return os.path.join(slots, "evcxr-cache.lock")


def opening(notebook):
    """The first `:dep backprop ...` line of a notebook file with the `use` lines of its cell
    after it, one a line, or None."""
    try:
        with open(notebook, encoding="utf-8") as f:
            cells = json.load(f).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            found = DEP_LINE.search(source)
            if found:
                uses = [l.strip() for l in source.splitlines() if USE_LINE.match(l)]
                return "\n".join([found.group(0).strip(), *uses])
    return None


def one_line(opening):
    """An opening as one line, for the log."""
    return " ".join(opening.splitlines())


class PooledKernelManager(AsyncMappingKernelManager):
    """A mapping kernel manager that hands out warm course kernels."""

    pool_size = Int(1, config=True, help="Warm kernels kept ready for each opening.")
    pool_kernel = Unicode("backprop", config=True, help="The kernelspec the pool warms.")
    refill_delay = Float(
        15.0, config=True, help="Seconds after a hand-over before the next kernel is warmed."
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ready = {}  # opening -> ids of warm kernels
        self._hidden = set()  # every pool kernel not handed over yet, warm or warming
        self._warm_up_cells = {}  # kernel id -> cells the pool ran in it before the learner
        self._openings = {}  # kernel id -> (opening, its number) it ran silently, until a cell runs
        if self.pool_size > 0:
            from tornado.ioloop import IOLoop

            IOLoop.current().add_callback(self._start_pool)

    def _lines(self):
        lines = []
        for name in sorted(os.listdir(self.root_dir)):
            if name.endswith(".ipynb"):
                line = opening(os.path.join(self.root_dir, name))
                if line and line not in lines:
                    lines.append(line)
        return lines

    async def _start_pool(self):
        lines = self._lines()
        self.log.info(
            "[backprop pool] keeping %d warm kernel(s) for each of: %s",
            self.pool_size,
            "; ".join(f"`{one_line(l)}`" for l in lines) or "(no lesson loads the course crate)",
        )
        for line in lines:
            for _ in range(self.pool_size):
                # One at a time: two first builds at once would share the build cache's lock.
                await self._warm(line)

    async def _warm(self, line):
        started = time.monotonic()
        kernel_id = await super().start_kernel(kernel_name=self.pool_kernel, path="")
        self._hidden.add(kernel_id)
        client = self.get_kernel(kernel_id).client()
        client.start_channels()
        heavy = "data" in line
        self.log.info(
            "[backprop pool] warming a kernel for `%s`%s",
            one_line(line),
            " (the first time on this machine this compiles polars: minutes)" if heavy else "",
        )
        progress = asyncio.ensure_future(self._progress(line, started))
        try:
            await client.wait_for_ready(timeout=300)
            # The cells that build or check the crates take turns at evcxr's cache.
            at_cache = [(line, None), (CHECK, CHECK_ERROR)]
            with open(cache_lock_path(), "a") as lock:
                await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
                ran = [await self._execute(client, c, fails_with=f) for c, f in at_cache]
            for code in WARM_UP:
                await self._execute(client, code)
            # Each took a number, which the learner's cells must not show.
            self._warm_up_cells[kernel_id] = len(at_cache) + len(WARM_UP)
            said, count = ran[0]
            if not said and isinstance(count, int):
                self._openings[kernel_id] = (line, count)
        except Exception as e:  # a kernel that cannot be warmed is not kept
            self.log.warning(
                "[backprop pool] could not warm a kernel for `%s`: %s", one_line(line), e
            )
            self._hidden.discard(kernel_id)
            await self.shutdown_kernel(kernel_id, now=True)
            return
        finally:
            progress.cancel()
            client.stop_channels()
        self._ready.setdefault(line, []).append(kernel_id)
        self.log.info(
            "[backprop pool] a warm kernel is ready for `%s` (%.0f s)",
            one_line(line),
            time.monotonic() - started,
        )

    @staticmethod
    async def _execute(client, code, fails_with=None):
        """Runs `code`; raises unless it passes (or, with `fails_with`, fails saying that).
        What it showed (its streams, errors and results, one string each) and its number."""
        said = []

        def keep(msg):
            if msg["msg_type"] in ("stream", "error"):
                said.append(msg["content"].get("text") or msg["content"].get("evalue", ""))
            elif msg["msg_type"] in ("display_data", "execute_result"):
                said.append(json.dumps(msg["content"].get("data", {})))

        reply = await client.execute_interactive(
            code, store_history=False, timeout=3600, output_hook=keep
        )
        status = reply["content"]["status"]
        if fails_with is not None:
            if status == "ok" or not any(fails_with in s for s in said):
                raise RuntimeError(f"`{code}` was to fail with {fails_with}: {said[-3:]}")
        elif status != "ok":
            why = reply["content"].get("evalue") or "".join(said)[-2000:]
            raise RuntimeError(f"`{code}` failed: {why.strip()}")
        return said, reply["content"].get("execution_count")

    async def _progress(self, line, started):
        while True:
            await asyncio.sleep(60)
            self.log.info(
                "[backprop pool] still warming the kernel for `%s` (%.0f s so far)",
                one_line(line),
                time.monotonic() - started,
            )

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs):
        name = kwargs.get("kernel_name") or self.default_kernel_name
        notebook = (kwargs.get("env") or {}).get("JPY_SESSION_NAME")
        if kernel_id is None and name == self.pool_kernel and path is not None and notebook:
            in_folder = os.path.realpath(self.cwd_for_path(path)) == os.path.realpath(
                self.root_dir
            )
            line = opening(notebook) if in_folder else None
            ready = self._ready.get(line) or []
            if ready:
                kernel_id = ready.pop(0)
                self._hidden.discard(kernel_id)
                # A restarted kernel counts from the start again.
                self.add_restart_callback(kernel_id, lambda: self.forget_warm_up(kernel_id))
                self.log.info(
                    "[backprop pool] handed warm kernel %s (`%s`) to %s",
                    kernel_id,
                    one_line(line),
                    notebook,
                )
                asyncio.ensure_future(self._refill(line))
                return kernel_id
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

    def warm_up_cells(self, kernel_id):
        """How many cells the pool ran in `kernel_id` before handing it over (0 for a kernel
        that is not the pool's)."""
        return self._warm_up_cells.get(kernel_id, 0)

    def forget_warm_up(self, kernel_id):
        self._warm_up_cells.pop(kernel_id, None)
        self._openings.pop(kernel_id, None)

    def opening_pending(self, kernel_id):
        """Whether no cell has run on `kernel_id` since the pool ran its opening there."""
        return kernel_id in self._openings

    def answered_opening(self, kernel_id, code):
        """If `code`, the first cell run on `kernel_id` since the hand-over, is the opening
        the pool ran there, the number the kernel gave that run, and the run counts as the
        learner's first cell; else None. Asked once per kernel: later cells go to the kernel."""
        line, count = self._openings.pop(kernel_id, (None, None))
        if line is None or kernel_id in self._hidden or same_lines(code) != line:
            return None
        self._warm_up_cells[kernel_id] -= 1
        return count

    async def restart_kernel(self, kernel_id, now=False):
        self.forget_warm_up(kernel_id)
        return await super().restart_kernel(kernel_id, now=now)

    async def shutdown_kernel(self, kernel_id, now=False, restart=False):
        if not restart:
            self.forget_warm_up(kernel_id)
        return await super().shutdown_kernel(kernel_id, now=now, restart=restart)

    async def _refill(self, line):
        await asyncio.sleep(self.refill_delay)
        await self._warm(line)

    def list_kernels(self):
        return [k for k in super().list_kernels() if k["id"] not in self._hidden]


class RenumberingConnection(OwnIdentityConnection):
    """The browser's connection to a kernel (under an identity of its own); for a pooled
    kernel, cell numbers are shown without the pool's warm-up cells, and a first cell that is
    the opening the pool ran is answered as the kernel answered it."""

    def handle_incoming_message(self, incoming_msg):
        manager = self.multi_kernel_manager
        pending = getattr(manager, "opening_pending", lambda _: False)(self.kernel_id)
        request = self._cell(incoming_msg) if pending and self.channels else None
        count = manager.answered_opening(self.kernel_id, request["code"]) if request else None
        if count is None:
            super().handle_incoming_message(incoming_msg)
            return
        self.log.info("[backprop pool] answered the opening cell on kernel %s", self.kernel_id)
        # What the kernel sent the pool for it.
        for channel, kind, content in [
            ("iopub", "status", {"execution_state": "busy"}),
            ("iopub", "execute_input", {"code": request["code"], "execution_count": count}),
            ("shell", "execute_reply", {"status": "ok", "execution_count": count,
                                        "user_expressions": {}, "payload": []}),
            ("iopub", "status", {"execution_state": "idle"}),
        ]:
            msg = self.session.msg(kind, content=content, parent=request["header"])
            self.handle_outgoing_message(channel, self.session.serialize(msg))

    def _cell(self, incoming_msg):
        """The header and code of the execute request `incoming_msg` carries, if it is one the
        pool's opening could answer: on the shell channel, allowed, not silent, asking for no
        expressions; else None."""
        try:
            if self.subprotocol == "v1.kernel.websocket.jupyter.org":
                channel, parts = deserialize_msg_from_ws_v1(incoming_msg)
                header, content = self.session.unpack(parts[0]), self.session.unpack(parts[3])
            else:
                msg = (deserialize_binary_message(incoming_msg) if isinstance(incoming_msg, bytes)
                       else json.loads(incoming_msg))
                channel, header, content = msg.get("channel"), msg["header"], msg["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        allowed = self.multi_kernel_manager.allowed_message_types
        if (channel != "shell" or header.get("msg_type") != "execute_request"
                or (allowed and "execute_request" not in allowed)
                or content.get("silent") or content.get("user_expressions")
                or not isinstance(content.get("code"), str)):
            return None
        return {"header": header, "code": content["code"]}

    def _on_zmq_reply(self, stream, msg_list):
        offset = getattr(self.multi_kernel_manager, "warm_up_cells", lambda _: 0)(self.kernel_id)
        if offset:
            msg_list = renumbered(self.session, msg_list, offset)
        super()._on_zmq_reply(stream, msg_list)


def same_lines(code):
    """`code`'s lines, stripped, without blank ones, one a line: an opening as `opening`
    gives it, when `code` holds nothing else."""
    return "\n".join(l.strip() for l in code.splitlines() if l.strip())


def renumbered(session, msg, offset):
    """`msg` (a message, or its parts from the header on) with `offset` taken off its cell
    number, if it carries one."""
    if isinstance(msg, dict):
        header, content = msg["header"], msg["content"]
    else:
        header = session.unpack(msg[0])
        content = None
    if header.get("msg_type") not in NUMBERED:
        return msg
    if content is None:
        content = session.unpack(msg[3])
    count = content.get("execution_count")
    if not isinstance(count, int) or count <= offset:
        return msg
    content = dict(content, execution_count=count - offset)
    if isinstance(msg, dict):
        return dict(msg, content=content)
    return [*msg[:3], session.pack(content), *msg[4:]]
