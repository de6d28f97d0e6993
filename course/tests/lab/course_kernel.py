"""The course kernel's manager for the scripts here that start one themselves: jupyter_client's
blocking `KernelManager`, behind lab/kernel_proxy.py's proxy (as in `course lab`) or not."""

import os
import sys

from jupyter_client import KernelManager

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "lab"))
from kernel_proxy import Proxied  # noqa: E402


class ProxiedManager(Proxied, KernelManager):
    pass


def manager(proxied):
    """A manager for the `backprop` kernel, not started yet."""
    return (ProxiedManager if proxied else KernelManager)(kernel_name="backprop")
