"""Starts a course kernel (behind lab/kernel_proxy.py's proxy, or on its own with `bare`) and
runs a cell that asks for a line of input with evcxr_input, as a notebook may, then prints
what it got. Answers the kernel's `input_request` on the stdin channel, as JupyterLab does
with the box it shows under the cell, and reports what came back.

Prints one JSON report: {"prompt": str or null, "stdout": str, "status": str}.

Run by course/tests/lab.rs with the lab's own Python:

    python stdin_prompt.py proxied|bare
"""

import json
import queue
import subprocess
import sys

import course_kernel

PROXIED = sys.argv[1] == "proxied"
ANSWER = "Ada"
CELL = """:dep evcxr_input = "1"
let name = evcxr_input::get_string("Who is learning? ");
println!("hello, {name}");"""

manager = course_kernel.manager(PROXIED)
manager.start_kernel(stdout=subprocess.DEVNULL)  # our stdout is the report
client = manager.client()
client.start_channels()
prompt, stdout, status = None, "", "no reply"
try:
    client.wait_for_ready(timeout=300)
    sent = client.execute(CELL, allow_stdin=True)
    try:
        request = client.get_stdin_msg(timeout=300)
        if request["parent_header"].get("msg_id") == sent:
            prompt = request["content"]["prompt"]
            client.input(ANSWER)
    except queue.Empty:
        pass
    reply = client.get_shell_msg(timeout=300)
    status = reply["content"]["status"]
    while True:
        msg = client.get_iopub_msg(timeout=10)
        if msg["parent_header"].get("msg_id") != sent:
            continue
        if msg["msg_type"] == "stream":
            stdout += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
except (RuntimeError, queue.Empty) as e:
    status = f"{status} ({type(e).__name__}: {e})"
finally:
    client.stop_channels()
    manager.shutdown_kernel(now=True)
print(json.dumps({"prompt": prompt, "stdout": stdout, "status": status}))
