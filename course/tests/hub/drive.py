"""Drives a running JupyterHub as a class would: for each learner, start their server through
the Hub's REST API, open a lesson on the course kernel, run every code cell through the
kernel's websocket (what JupyterLab does when the learner runs the cells), and try to read
another learner's copy of the lesson from inside the kernel. Prints one JSON report.

Run by course/tests/hub.rs with the Hub's own Python (tornado and requests come with it):

    python drive.py HUB_URL TOKEN LESSON THEN_LESSON USER...

Every learner runs LESSON at the same time; then the first learner alone runs THEN_LESSON.
"""

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "lab"))
from kernel_client import connect, execute  # noqa: E402

HUB, TOKEN, LESSON, THEN_LESSON = sys.argv[1:5]
USERS = sys.argv[5:]
AUTH = {"Authorization": f"token {TOKEN}"}
STARTED = set()


def api(method, path, **kwargs):
    reply = requests.request(method, HUB + path, headers=AUTH, timeout=120, **kwargs)
    if reply.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {reply.status_code} {reply.text[:500]}")
    return reply.json() if reply.text else None


async def aapi(method, path, **kwargs):
    """The same, off the event loop, so the other learners' cells run meanwhile."""
    return await asyncio.to_thread(api, method, path, **kwargs)


async def start_server(user):
    """Creates the learner and starts their server; returns seconds until it answered."""
    started = time.monotonic()
    model = await aapi("GET", f"/hub/api/users/{user}") if user in STARTED else {}
    if model.get("servers", {}).get("", {}).get("ready"):
        return 0.0
    STARTED.add(user)
    await asyncio.to_thread(requests.post, HUB + f"/hub/api/users/{user}", headers=AUTH,
                            timeout=60)
    await aapi("POST", f"/hub/api/users/{user}/server")
    while True:
        model = await aapi("GET", f"/hub/api/users/{user}")
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return time.monotonic() - started
        if time.monotonic() - started > 180:
            raise RuntimeError(f"{user}'s server did not become ready: {model}")
        await asyncio.sleep(0.5)


async def learner(user, other, lesson):
    report = {"user": user, "lesson": lesson}
    report["server_start_s"] = round(await start_server(user), 2)
    asked = time.monotonic()
    session = await aapi("POST", f"/user/{user}/api/sessions", json={
        "path": lesson, "type": "notebook", "name": os.path.basename(lesson),
        "kernel": {"name": "backprop"}})
    kernel = session["kernel"]["id"]
    notebook = (await aapi("GET", f"/user/{user}/api/contents/{lesson}"))["content"]
    url = HUB.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"
    ws = await connect(url, headers=AUTH)
    client = uuid.uuid4().hex
    cells, checks, crosses, failures, first = 0, 0, 0, [], None
    started = time.monotonic()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        reply = await execute(ws, cell["source"], client, limit=900)
        status, text, errors = reply.status, "".join(reply.texts), reply.errors
        cells += 1
        if first is None:
            first = time.monotonic() - asked
        checks += text.count("✓")
        crosses += text.count("✗")
        if status != "ok" or errors:
            failures.append({"cell": cells, "status": status, "errors": errors})
    report["cells"] = cells
    report["lesson_s"] = round(time.monotonic() - started, 2)
    report["first_result_s"] = round(first, 2)
    report["checks"] = checks
    report["crosses"] = crosses
    report["failures"] = failures
    # Another learner's lesson, read from inside this learner's kernel.
    probe = (
        f'match std::fs::read_to_string("/home/{other}/backprop-course/{lesson}") {{'
        ' Ok(_) => println!("READ"), Err(e) => println!("DENIED {:?}", e.kind()) }'
    )
    reply = await execute(ws, probe, client, limit=120)
    report["other_learners_lesson"] = "".join(reply.texts).strip()
    report["memory"] = memory_of(user)
    ws.close()
    await asyncio.to_thread(requests.delete, HUB + f"/user/{user}/api/kernels/{kernel}",
                            headers=AUTH, timeout=60)
    return report


def memory_of(user):
    """Resident and proportional memory of every process the learner runs, in MiB.
    Proportional (PSS) shares each page among the processes that map it, so shared libraries
    count once across learners."""
    import pwd
    uid = pwd.getpwnam(user).pw_uid
    rss = pss = 0
    processes = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                owner = next(int(l.split()[1]) for l in f if l.startswith("Uid:"))
            if owner != uid:
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            processes += 1
        except (OSError, StopIteration):
            continue
    return {"processes": processes, "rss_mib": round(rss / 1024), "pss_mib": round(pss / 1024)}


async def main():
    runs = [learner(u, USERS[(i + 1) % len(USERS)], LESSON) for i, u in enumerate(USERS)]
    reports = await asyncio.gather(*runs)
    reports.append(await learner(USERS[0], USERS[1], THEN_LESSON))
    for user in USERS:
        requests.delete(HUB + f"/hub/api/users/{user}/server", headers=AUTH, timeout=60)
    print(json.dumps(reports, indent=1))


asyncio.run(main())
