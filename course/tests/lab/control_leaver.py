"""Starts a course kernel and, while it starts, sends `kernel_info_request`s on a control
socket that then closes, as Jupyter Server's own nudge does; reports whether the kernel lived
to answer a cell. The reason lab/kernel_connection.py nudges on the shell channel only.

With `proxied`, the kernel sits behind lab/kernel_proxy.py's proxy, as in `course lab`.

Prints one JSON report: {"requests": N, "alive": bool, "answered": bool}.

Run by course/tests/lab.rs with the lab's own Python:

    python control_leaver.py REQUESTS [proxied]
"""

import json
import subprocess
import sys
import time

import course_kernel
import zmq

REQUESTS = int(sys.argv[1])
PROXIED = sys.argv[2:] == ["proxied"]

manager = course_kernel.manager(PROXIED)
manager.start_kernel(stdout=subprocess.DEVNULL)  # our stdout is the report
client = manager.client()
client.start_channels()
control = zmq.Context.instance().socket(zmq.DEALER)
control.linger = 0
control.connect(f"tcp://127.0.0.1:{manager.control_port}")
for _ in range(REQUESTS):
    manager.session.send(control, "kernel_info_request")
time.sleep(0.3)  # on their way to the kernel, which queues them until it has started
control.close()
answered = False
try:
    client.wait_for_ready(timeout=300)
    time.sleep(2)  # a kernel that ends does so as soon as it serves its control socket
    alive = manager.is_alive()
    if alive:
        answered = client.execute("1 + 1", reply=True, timeout=120)["content"]["status"] == "ok"
except (RuntimeError, TimeoutError):
    alive = manager.is_alive()
client.stop_channels()
manager.shutdown_kernel(now=True)
print(json.dumps({"requests": REQUESTS, "alive": alive, "answered": answered}))
