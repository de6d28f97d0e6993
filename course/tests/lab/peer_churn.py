"""Starts a course kernel (behind lab/kernel_proxy.py's proxy, or on its own with `bare`) and
has shell clients come and go as Jupyter Server's do: three clients at a time each connect,
send one to three `kernel_info_request`s, leave after the first reply, and start over, while
one more client stays and asks every 0.2 s. Stops at the first request left unanswered for
15 s, then runs a cell if the kernel still answers.

Prints one JSON report: {"departures": N, "answered": bool, "cell": "42" or null}.

Run by course/tests/lab.rs with the lab's own Python:

    python peer_churn.py proxied|bare DEPARTURES
"""

import faulthandler
import json
import subprocess
import sys
import threading
import uuid

import course_kernel
import zmq
from jupyter_client.session import Session

WAIT_MS = 15_000
faulthandler.dump_traceback_later(240, exit=True)  # every thread's stack, should it hang
proxied, departures = sys.argv[1] == "proxied", int(sys.argv[2])

manager = course_kernel.manager(proxied)
manager.start_kernel(stdout=subprocess.DEVNULL)  # our stdout is the report
client = manager.client()
client.start_channels()
context = zmq.Context.instance()
address = f"tcp://127.0.0.1:{manager.shell_port}"
lock, left, unanswered, done = threading.Lock(), [0], threading.Event(), threading.Event()


def come_and_go(requests):
    session = Session(key=manager.session.key)  # message ids of its own
    while not (done.is_set() or unanswered.is_set()):
        shell = context.socket(zmq.DEALER)
        shell.linger = 0
        shell.identity = uuid.uuid4().hex.encode()
        shell.connect(address)
        for _ in range(requests):
            session.send(shell, "kernel_info_request")
        if shell.poll(WAIT_MS):
            shell.recv_multipart()
        else:
            unanswered.set()
        shell.close()
        with lock:
            left[0] += 1
            if left[0] >= departures:
                done.set()


def churn():
    """Has the clients come and go until `departures` have left or a request went unanswered."""
    clients = [threading.Thread(target=come_and_go, args=(n,), daemon=True) for n in (3, 1, 2)]
    for c in clients:
        c.start()
    while not (done.is_set() or unanswered.is_set()):
        try:
            client.kernel_info(reply=True, timeout=WAIT_MS / 1000)
        except TimeoutError:
            unanswered.set()
        done.wait(0.2)
    for c in clients:
        c.join(WAIT_MS / 1000 + 5)


def cell(code):
    """What `code` shows as its result (None for nothing), once the kernel is idle again."""
    asked, shown = client.execute(code), None
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != asked:
            continue
        if msg["msg_type"] == "execute_result":
            shown = msg["content"]["data"].get("text/plain")
        if msg["content"].get("execution_state") == "idle":
            return shown


try:
    client.wait_for_ready(timeout=300)
    churn()
    result = None if unanswered.is_set() else cell("40 + 2")
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
print(json.dumps({"departures": left[0], "answered": not unanswered.is_set(), "cell": result}))
