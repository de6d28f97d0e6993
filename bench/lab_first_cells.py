"""Times a lesson's first cells through a running `course lab`, as JupyterLab would ask for
them but without a browser: a session for the notebook (the pool hands over a warm kernel
where it has one), the kernel's websocket, then the first three code cells as execute
requests. Prints, per lesson, the seconds from asking for the session to each cell's reply,
with the cell's number and status.

    cargo run -p course -- lab --no-browser -- --PooledKernelManager.refill_delay=86400
    target/lab-py/bin/python bench/lab_first_cells.py PORT TOKEN 04-admissions.ipynb 01-loss.ipynb

Each lesson's kernel is shut down after it; with the refill delay above, a lesson opened after
the pool handed its kernel over gets a fresh one.
"""

import asyncio
import json
import sys
import time
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))
from kernel_client import connect, execute  # noqa: E402


async def first_cells(base, token, name):
    http = AsyncHTTPClient()
    contents = await http.fetch(f"{base}/api/contents/{name}?token={token}")
    cells = json.loads(contents.body)["content"]["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    asked = time.monotonic()
    body = json.dumps({"path": name, "type": "notebook", "kernel": {"name": "backprop"}})
    session = await http.fetch(
        HTTPRequest(f"{base}/api/sessions?token={token}", method="POST", body=body)
    )
    kernel = json.loads(session.body)["kernel"]["id"]
    ws = await connect(base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?token={token}")
    replies = []
    for source in code[:3]:
        sent = time.monotonic()
        reply = await execute(ws, source, "bench")
        seconds = sent - asked + reply.seconds
        replies.append(f"{seconds:.2f} s [{reply.count}] {reply.status}")
    ws.close()
    await http.fetch(HTTPRequest(f"{base}/api/kernels/{kernel}?token={token}", method="DELETE"))
    print(f"{name}: " + ", ".join(replies), flush=True)


async def main(port, token, lessons):
    for name in lessons:
        await first_cells(f"http://127.0.0.1:{port}", token, name)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
