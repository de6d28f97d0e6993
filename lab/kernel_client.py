"""Runs cells on a kernel through Jupyter Server's websocket, as JupyterLab does when a cell is
run: the one client that the lab and hub tests and the lab bench share.

Needs only tornado, which comes with every Jupyter Server and JupyterHub.
"""

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field

from tornado.websocket import websocket_connect

PANIC_MIME = "application/vnd.backprop.panic+json"


@dataclass
class Reply:
    """What answered one cell."""

    status: str  # the execute reply's status: "ok", "error" or "aborted"
    count: int  # the number the kernel gave the cell
    seconds: float  # from sending the cell to its reply
    texts: list = field(default_factory=list)  # streams, text/plain and text/html, in order
    errors: list = field(default_factory=list)  # error outputs and course panics, one line each


async def connect(url, headers=None):
    """Opens a kernel's websocket: `url` is its `.../api/kernels/ID/channels` address."""
    if headers:
        from tornado.httpclient import HTTPRequest

        url = HTTPRequest(url, headers=headers)
    return await websocket_connect(url, max_message_size=1 << 28)


def request(code, session):
    """An execute request for `code`, as JupyterLab sends one."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "username": "course",
            "session": session,
            "msg_type": "execute_request",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


async def execute(ws, code, session="course", limit=600):
    """Runs `code` and collects what answers it until the kernel is idle again.

    Raises RuntimeError when `limit` seconds pass without that or the websocket closes,
    naming every message the kernel sent meanwhile, with its time.
    """
    sent = request("".join(code), session)
    msg_id = sent["header"]["msg_id"]
    await ws.write_message(json.dumps(sent))
    started = time.monotonic()
    reply, idle, heard = None, False, []
    texts, errors = [], []
    while reply is None or not idle:
        left = started + limit - time.monotonic()
        try:
            raw = await asyncio.wait_for(ws.read_message(), max(left, 0))
        except asyncio.TimeoutError:
            raw = "timeout"
        if raw is None or raw == "timeout":
            why = "the websocket closed" if raw is None else f"no answer within {limit} s"
            raise RuntimeError(f"{why} to `{code}`; the kernel said: {heard}")
        msg = json.loads(raw)
        kind, content = msg["msg_type"], msg["content"]
        state = content.get("execution_state", "")
        heard.append(f"{time.monotonic() - started:.1f}s {kind} {state}".strip())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if kind == "stream":
            texts.append(content["text"])
        elif kind in ("display_data", "execute_result"):
            data = content.get("data", {})
            texts.append(data.get("text/plain", "") + data.get("text/html", ""))
            if PANIC_MIME in data:
                errors.append("panic: " + json.dumps(data[PANIC_MIME]))
        elif kind == "error":
            errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif kind == "execute_reply":
            seconds = time.monotonic() - started
            reply = (content["status"], content.get("execution_count"), seconds)
        elif kind == "status" and state == "idle":
            idle = True
    return Reply(*reply, texts=texts, errors=errors)
