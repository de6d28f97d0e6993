"""Reconnects to a lesson's kernel as a browser does, under the same session id, while a
cell's reply is on its way, and runs a cell after each reconnection. Jupyter Server closes
the old connection when the new one comes; with the session id as ZMQ identity, evcxr then
lost replies (or stopped answering) within a few rounds. Prints one JSON report: {"rounds": N, "answered": [...]}, the cell
number of each round's second cell, up to a null where none came within its limit.

Run by course/tests/lab.rs with the lab's own Python:

    python reconnect.py BASE_URL TOKEN LESSON ROUNDS
"""

import asyncio
import json
import sys
import uuid
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))
from kernel_client import connect, execute, request  # noqa: E402

BASE, TOKEN, LESSON, ROUNDS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


async def main():
    body = json.dumps({"path": LESSON, "type": "notebook", "name": LESSON,
                       "kernel": {"name": "backprop"}})
    reply = await AsyncHTTPClient().fetch(HTTPRequest(
        f"{BASE}/api/sessions?token={TOKEN}", method="POST", body=body, request_timeout=600))
    kernel = json.loads(reply.body)["kernel"]["id"]
    session = uuid.uuid4().hex  # one browser tab: the same id at every reconnection
    url = (BASE.replace("http", "ws", 1)
           + f"/api/kernels/{kernel}/channels?token={TOKEN}&session_id={session}")
    answered, old = [], await connect(url)
    for _ in range(ROUNDS):
        # A cell whose reply is on its way while the browser reconnects, as when a tab
        # reconnects in the middle of a run.
        await old.write_message(json.dumps(request("1 + 1", session)))
        ws = await connect(url)  # the server replaces the old connection with this one
        try:
            answered.append((await execute(ws, "2 + 2", session, limit=120)).count)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            answered.append(None)
            break  # a kernel that stopped answering would make every later round wait
        old.close()
        old = ws
    print(json.dumps({"rounds": ROUNDS, "answered": answered}))


asyncio.run(main())
