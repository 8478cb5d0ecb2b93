"""The Jupyter kernel each report notebook runs in.

- **This Python by default.** The kernel is started with the interpreter running channelxl
  (ipykernel's own spec, ``sys.executable``), so the notebook imports the same channelxl;
  a kernel installed under another name (``--kernel``) is looked up as Jupyter does.
- **IPC transport.** Kernels started in parallel on TCP pick free ports independently and,
  about once in a few hundred starts on a busy machine, two pick the same one. Unix
  sockets in a private folder per kernel cannot collide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

OWN_KERNEL = "channelxl-python"


class _SpecManager(KernelSpecManager):
    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == OWN_KERNEL:
            from ipykernel.kernelspec import get_kernel_dict

            return KernelSpec(resource_dir=os.path.dirname(sys.executable), **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


class ReportKernelManager(AsyncKernelManager):
    """An async kernel manager on IPC sockets in a private temporary folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if os.name == "posix" else "tcp"

    @default("ip")
    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        # short path: a Unix socket path must fit in about 100 bytes
        self._ipc_dir = tempfile.mkdtemp(prefix="chx-")
        return os.path.join(self._ipc_dir, "k")

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return _SpecManager(data_dir=self.data_dir)

    async def start_kernel(self, **kw) -> None:
        # jupyter_client interrupts a kernel before shutting it down, and the kernel logs
        # that on stderr; the notebook's own output is captured by the client, not here
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        await super().start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_ipc_dir", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)
