"""Inside a warm report kernel: the state a review starts from, and putting it back.

This module runs in the Jupyter kernel (``reports.kernel_pool`` sends the two calls), not in
the worker. :func:`prepare` imports what reviews use once per kernel and records the state
after it; :func:`reset` runs between two reviews and either puts every recorded piece back
or says why it cannot (the kernel is then replaced by a fresh one).

What is put back (cheap, and common ways a notebook changes its process):

- the user namespace (IPython's ``reset``: every name a review defined is gone; the
  execution count starts again at 1, as in a fresh kernel);
- matplotlib: figures closed, ``rcParams`` restored to the recorded copy;
- the ``decimal`` context of the thread (money is formatted through it), ``os.environ``,
  the working folder, ``sys.path``, the ``warnings`` filters and pandas' options.

What is checked, not repaired (a repair could be wrong; a fresh kernel cannot be):

- every module loaded at :func:`prepare`: the same module object
  in ``sys.modules`` and every global of it bound to the same object (a patched function,
  class, constant or sub-module is a rebinding). Globals a library rebinds by itself as it
  works are named in :data:`VOLATILE`, and a global that was None is taken as a cache
  filled on first use, not checked (``tempfile.tempdir`` is filled up front for this);
- modules the review loaded that were not loaded before: the kernel is replaced, and the
  next kernel's :func:`prepare` loads them too (``new_modules``), so a review never
  starts with a module some earlier review loaded, and possibly changed, on its own.

Not covered: changes *inside* objects that stay bound (an item set in a module's dict or
list, an attribute set on a class), threads or child processes a review leaves running,
files it writes. A review that does those should not share a kernel; its results would
then differ from a fresh kernel's, which is why the batch's tests run the real notebook in
both and compare.
"""

from __future__ import annotations

import decimal
import importlib
import os
import sys
import tempfile
import warnings

# (module, global) pairs libraries rebind while they work, so a change there says nothing
# about the review; "*" as the module: in any module; as the global: every global of it
VOLATILE = {
    ("*", "__warningregistry__"),
    ("sys", "last_type"),
    ("sys", "last_value"),
    ("sys", "last_traceback"),
    ("sys", "last_exc"),
    ("__main__", "*"),  # IPython's user namespace: reset below
    (__name__, "*"),  # this module's own records
}

_saved: dict = {}


def prepare(modules: list[str]) -> None:
    """Import ``modules`` (the review's own and any an earlier kernel learned), then record
    the state :func:`reset` returns to. A module that cannot be imported is skipped: the
    review itself will say why."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the notebook reports its own import errors
            continue
    # globals set on first use, set now so that a review changing them is seen
    tempfile.gettempdir()
    if "PIL.Image" in sys.modules:
        sys.modules["PIL.Image"].init()  # registers every image plugin, as saving a PNG does
    _record()


def _record() -> None:
    _saved["modules"] = {
        name: (mod, dict(d))
        for name, mod in list(sys.modules.items())
        if (d := getattr(mod, "__dict__", None)) is not None
    }
    _saved["decimal"] = decimal.getcontext().copy()
    _saved["environ"] = dict(os.environ)
    _saved["cwd"] = os.getcwd()
    _saved["path"] = list(sys.path)
    _saved["warnings"] = list(warnings.filters)
    mpl = sys.modules.get("matplotlib")
    _saved["rc"] = dict(mpl.rcParams.copy()) if mpl else None
    pd = sys.modules.get("pandas")
    _saved["pandas"] = _pandas_options(pd) if pd else None


def _pandas_options(pd) -> dict:
    with warnings.catch_warnings():  # reading a deprecated option warns
        warnings.simplefilter("ignore")
        return {key: pd.get_option(key) for key in pd._config.config._registered_options}


def changed_modules() -> list[str]:
    """``module`` or ``module.global`` for each recorded module that was replaced, removed,
    or had a global rebound or removed (globals named in :data:`VOLATILE` aside)."""
    found = []
    modules = sys.modules
    for name, (mod, before) in _saved["modules"].items():
        if (name, "*") in VOLATILE:
            continue
        if modules.get(name) is not mod:
            found.append(name)
            continue
        now = mod.__dict__
        try:
            if now == before:  # C-level: identical values compare equal at once
                continue
        except Exception:  # a value whose == raises: look key by key
            pass
        for key, value in before.items():
            # None: a global a library sets on first use (a cache); a patch replaces a value
            if value is None or (name, key) in VOLATILE or ("*", key) in VOLATILE:
                continue
            if now.get(key, _saved) is not value:
                found.append(f"{name}.{key}")
    return found


def reset() -> dict:
    """Put the kernel back as :func:`prepare` left it: ``{}``; or, when it cannot be, why
    and the modules the review loaded (``{"why": ..., "new_modules": [...]}``)."""
    new = sorted(set(sys.modules) - set(_saved["modules"]))
    changed = changed_modules()
    if changed:
        return {"why": f"the review changed {', '.join(changed[:5])}", "new_modules": new}
    if new:
        return {"why": f"the review loaded {len(new)} more modules", "new_modules": new}
    get_ipython = sys.modules["IPython"].get_ipython
    get_ipython().reset(new_session=True)  # history is off: only the count starts again
    mpl = sys.modules.get("matplotlib")
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if mpl and _saved["rc"] is not None:
        # as matplotlib's own rc_context restores: no validation, no deprecation warnings
        mpl.rcParams._update_raw(_saved["rc"])
    decimal.setcontext(_saved["decimal"].copy())
    if os.environ != _saved["environ"]:
        os.environ.clear()
        os.environ.update(_saved["environ"])
    if os.getcwd() != _saved["cwd"]:
        os.chdir(_saved["cwd"])
    sys.path[:] = _saved["path"]
    pd = sys.modules.get("pandas")
    if pd and _saved["pandas"] is not None:
        now = _pandas_options(pd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _saved["pandas"].items():
                if now.get(key) != value:
                    pd.set_option(key, value)
    warnings.filters[:] = _saved["warnings"]
    getattr(warnings, "_filters_mutated", lambda: None)()  # drop the cached lookups
    return {}
