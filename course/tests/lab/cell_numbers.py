"""Asks a running `course lab` for the numbers its kernels give cells, as JupyterLab shows
them: a pooled kernel's, a fresh kernel's, and the pooled kernel's again after a restart;
then a second pooled kernel's, whose first cell is not the lesson's opening. Prints one JSON
report: {"pooled": [...], "fresh": [...], "restarted": [...], "opening_second": [...]}, the
execution counts of the cells' replies, with "pooled_kernel" and "second_kernel" (their ids)
and "pooled_shown" and "fresh_shown" (what the last cell showed on each).

Run by course/tests/lab.rs with the lab's own Python (tornado comes with Jupyter Server):

    python cell_numbers.py BASE_URL TOKEN POOLED_LESSON FRESH_LESSON SECOND_POOLED_LESSON
"""

import asyncio
import json
import sys
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))
from kernel_client import connect, execute  # noqa: E402

BASE, TOKEN, POOLED, FRESH, SECOND = sys.argv[1:6]
# The last cell needs the course prelude that the opening imports.
AFTER = ["1 + 1", "array![1.0, 2.0].sum()"]
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
    """Runs `cells` on `kernel` through its websocket; the execution count of each reply,
    and what the last cell showed."""
    ws = await connect(BASE.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?token={TOKEN}")
    counts = []
    for code in cells:
        reply = await execute(ws, code)
        if reply.status != "ok":
            raise RuntimeError(f"`{code}` failed: {reply.status} {reply.errors}")
        counts.append(reply.count)
    ws.close()
    return counts, "".join(reply.texts)


async def open_lesson(lesson):
    """Opens `lesson` as JupyterLab does (a session); its kernel's id and first code cell."""
    session = await api("POST", "/api/sessions", {
        "path": lesson, "type": "notebook", "name": lesson, "kernel": {"name": "backprop"}})
    notebook = (await api("GET", f"/api/contents/{lesson}"))["content"]
    code = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]
    return session["kernel"]["id"], code[0]


async def main():
    pooled, opening = await open_lesson(POOLED)
    report = {"pooled_kernel": pooled}
    report["pooled"], report["pooled_shown"] = await numbers(pooled, [opening, *AFTER])
    fresh, opening = await open_lesson(FRESH)
    report["fresh"], report["fresh_shown"] = await numbers(fresh, [opening, *AFTER])
    await api("POST", f"/api/kernels/{pooled}/restart", {})
    report["restarted"], _ = await numbers(pooled, [opening] + ["1 + 1"] * 5)
    second, opening = await open_lesson(SECOND)
    report["second_kernel"] = second
    report["opening_second"], _ = await numbers(second, ["1 + 1", opening])
    print(json.dumps(report))


asyncio.run(main())
