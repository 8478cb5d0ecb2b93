"""The Jupyter kernel each report notebook runs in, and the papermill engine that runs it.

- **This Python by default.** The kernel is started with the interpreter running channelxl
  (ipykernel's own spec, ``sys.executable``), so the notebook imports the same channelxl;
  a kernel installed under another name (``--kernel``) is looked up as Jupyter does.
- **IPC transport.** Kernels started in parallel on TCP pick free ports independently and,
  about once in a few hundred starts on a busy machine, two pick the same one. Unix
  sockets in a private folder per kernel cannot collide.
- **No IPython history.** Each kernel would open (and lock) the same history database;
  a report needs none.
- **One save per notebook.** papermill's own engine rewrites (and re-validates) the
  output notebook after every cell so that a failure leaves it on disk; ``ReportEngine``
  writes it once, when execution ends, failed or not: the same notebook for less work.
- **A kernel already running.** Given ``km`` and ``kc`` (a warm kernel of
  ``reports.kernel_pool``), ``ReportEngine`` runs the notebook in it and leaves it running;
  everything else (parameters cell, metadata) is papermill's own path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.iorw import write_ipynb
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args
from traitlets import default

OWN_KERNEL = "channelxl-python"
ENGINE = "channelxl"
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


class _SpecManager(KernelSpecManager):
    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == OWN_KERNEL:
            from ipykernel.kernelspec import get_kernel_dict

            return KernelSpec(resource_dir=os.path.dirname(sys.executable), **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def check_kernel(name: str) -> None:
    """Refuse a kernel name Jupyter does not know, before any report starts."""
    if name == OWN_KERNEL:
        return
    from jupyter_client.kernelspec import NoSuchKernel

    from channelxl.errors import ChannelxlError

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(name)
    except NoSuchKernel:
        known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise ChannelxlError(
            f"no Jupyter kernel named {name!r} (installed: {known}); leave out --kernel to "
            "run the notebooks with the Python that runs channelxl"
        ) from None


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


class ReportEngine(NBClientEngine):
    """papermill's nbclient engine, saving the output notebook once instead of per cell."""

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        **kwargs,
    ):
        nb_man = NotebookExecutionManager(
            nb, output_path=None, progress_bar=False, log_output=log_output, autosave_cell_every=0
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:
            # papermill saves notebooks whose cells raised; this keeps the ones stopped by
            # a time limit or a dead kernel too
            if output_path:
                nb_man.notebook_complete()
                write_ipynb(nb_man.nb, output_path)
            raise
        nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls, nb_man, kernel_name, log_output=False, start_timeout=60, kc=None, **kwargs
    ):
        if kc is None:
            return super().execute_managed_notebook(
                nb_man, kernel_name, log_output=log_output, start_timeout=start_timeout, **kwargs
            )
        # NBClientEngine's own arguments, with the client of the running kernel set before
        # execution: nbclient then neither starts nor stops a kernel (it does not own km)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            **merge_kwargs(
                kwargs,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
            ),
        )
        client.kc = kc
        return client.execute()


papermill_engines.register(ENGINE, ReportEngine)
