"""Asks a running `course lab` for the numbers its kernels give cells, as JupyterLab shows
them: a pooled kernel's, a fresh kernel's, and the pooled kernel's again after a restart.
Prints one JSON report: {"pooled": [...], "fresh": [...], "restarted": [...]}, the
execution counts of the cells' replies.

Run by course/tests/lab.rs with the lab's own Python (tornado comes with Jupyter Server):

    python cell_numbers.py BASE_URL TOKEN POOLED_LESSON FRESH_LESSON
"""

import asyncio
import json
import sys
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))
from kernel_client import connect, execute  # noqa: E402

BASE, TOKEN, POOLED, FRESH = sys.argv[1:5]
HTTP = AsyncHTTPClient()


async def api(method, path, body=None):
    request = HTTPRequest(
        f"{BASE}{path}?token={TOKEN}",
        method=method,
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
        request_timeout=600,
    )
    reply = await HTTP.fetch(request)
    return json.loads(reply.body) if reply.body else None


async def numbers(kernel, cells):
    """Runs `cells` on `kernel` through its websocket; the execution count of each reply."""
    ws = await connect(BASE.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?token={TOKEN}")
    counts = []
    for code in cells:
        reply = await execute(ws, code)
        if reply.status != "ok":
            raise RuntimeError(f"`{code}` failed: {reply.status} {reply.errors}")
        counts.append(reply.count)
    ws.close()
    return counts


async def open_lesson(lesson):
    """Opens `lesson` as JupyterLab does (a session); its kernel's id and first code cell."""
    session = await api("POST", "/api/sessions", {
        "path": lesson, "type": "notebook", "name": lesson, "kernel": {"name": "backprop"}})
    notebook = (await api("GET", f"/api/contents/{lesson}"))["content"]
    code = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    return session["kernel"]["id"], code[0]


async def main():
    pooled, opening = await open_lesson(POOLED)
    report = {"pooled": await numbers(pooled, [opening, "1 + 1", "2 + 2"])}
    fresh, opening = await open_lesson(FRESH)
    report["fresh"] = await numbers(fresh, [opening, "1 + 1", "2 + 2"])
    await api("POST", f"/api/kernels/{pooled}/restart", {})
    report["restarted"] = await numbers(pooled, [opening] + ["1 + 1"] * 5)
    print(json.dumps(report))


asyncio.run(main())
