"""Kernels forked from the worker instead of started as new interpreters.

A report's kernel used to be a new ``python -m ipykernel_launcher`` process that then imported
numpy, pandas, pyarrow, scipy.stats and statsmodels (``Slot.preload``): about 2.5 s of CPU per
report, 27 times a run, on a machine with two cores. The runner's forkserver now imports those
modules once per run (``orchestrate``), every worker is forked from it, and each worker forks its
kernel, which therefore starts with them loaded, at the cost of a copy-on-write fork.

The forked child is made to look like a fresh kernel to the notebook: its own session, default
signal handlers, the kernel's environment and working directory, stdin from /dev/null, none of
the worker's file descriptors, multiprocessing's bookkeeping reset as for a new interpreter, no
running event loop, numpy's global generator seeded afresh, and no ``research`` module loaded (a
report's key records the ``research`` modules its notebook imported, so they must be imported by
the notebook, from disk). ``tests/test_runner_kernels.py`` compares what a notebook sees in a
forked and in a new kernel. What still differs: the third-party modules the worker loaded
(papermill, nbconvert and theirs) are in ``sys.modules``, with the warning filters their imports
added (requests', bleach's), and matplotlib read its ``matplotlibrc`` as the run started, from the
run's working directory rather than the kernel's scratch folder.

Only the standard ``python -m ipykernel_launcher`` command of the runner's own interpreter is
forked; anything else is started as jupyter_client always does.
"""

from __future__ import annotations

import functools
import json
import multiprocessing.process
import os
import signal
import subprocess
import sys
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager

LAUNCHER = "ipykernel_launcher"


class ForkedKernelManager(AsyncKernelManager):
    """An :class:`AsyncKernelManager` whose kernel is a fork of this process (see the module)."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not can_fork(kernel_cmd) or self.provisioner is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        env = dict(kw.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # what jupyter_client's launcher sets: the kernel
        # exits when this process does (ipykernel's parent poller)
        pid = fork_kernel(kernel_cmd[3:], env, kw.get("cwd"), interpreter_path(env))
        provisioner = self.provisioner
        provisioner.process = ForkedProcess(pid)  # type: ignore[attr-defined]
        provisioner.pid = pid  # type: ignore[attr-defined]
        provisioner.pgid = pid  # type: ignore[attr-defined]  # the child calls setsid() first
        provisioner.cwd = kw.get("cwd")  # type: ignore[attr-defined]
        self._reconcile_connection_info(provisioner.connection_info)


def can_fork(kernel_cmd: list[str]) -> bool:
    """Whether ``kernel_cmd`` is the standard kernel of this interpreter, on Linux (macOS can
    abort a child forked after system frameworks were loaded; Windows has no fork)."""
    return (sys.platform.startswith("linux") and len(kernel_cmd) >= 3 and kernel_cmd[1:3] == ["-m", LAUNCHER]
            and os.path.realpath(kernel_cmd[0]) == os.path.realpath(sys.executable))


#: What decides a new interpreter's own sys.path besides its executable (user site, home, libdir).
SITE_VARIABLES = ("HOME", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONUSERBASE", "PYTHONPLATLIBDIR")


def interpreter_path(env: dict[str, str]) -> list[str]:
    """The sys.path a new interpreter of this executable builds for itself under ``env``: its
    standard library, site-packages and .pth entries, without its first entry (the script's
    folder) and without PYTHONPATH. Not the worker's own sys.path, which holds whatever its
    launcher added: pytest's rootdir, or the folder of the ``pytest``/``research`` script."""
    return list(_interpreter_path(tuple((k, env[k]) for k in SITE_VARIABLES if k in env)))


@functools.cache
def _interpreter_path(site_env: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    # once per worker and environment: a new interpreter costs about 20 ms, a kernel 25 times more
    out = subprocess.run([sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"],
                         env=dict(site_env), capture_output=True, text=True, check=True, timeout=120)
    return tuple(json.loads(out.stdout))


def fork_kernel(args: list[str], env: dict[str, str], cwd: str | None, path: list[str]) -> int:
    """Fork; the child becomes an IPython kernel with ``args`` (after ``-m ipykernel_launcher``),
    the environment ``env`` and, after PYTHONPATH, ``path`` (``interpreter_path``) as sys.path,
    and never returns. Returns the child's pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # from here on the child must never return into the worker's code
        _become_kernel(args, env, cwd, path)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - told to the kernel's log, then the child exits
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # no atexit handlers or finalizers of the worker's objects
    return 0  # pragma: no cover - unreachable


def _become_kernel(args: list[str], env: dict[str, str], cwd: str | None, path: list[str]) -> None:
    os.setsid()  # as jupyter_client starts kernels: signals to the kernel's group stay there
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as a new interpreter sets it
    signal.set_wakeup_fd(-1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    # None of the worker's descriptors: its result pipe held open by the kernel would hide the
    # worker's death from the run (a new process gets only 0-2: close_fds)
    os.closerange(3, _max_fd())
    _reset_multiprocessing()
    _reset_asyncio()
    os.environ.clear()
    os.environ.update(env)
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # its global generator was seeded once, in the forkserver; a new
        numpy.random.seed()  # interpreter seeds it afresh (Python's own `random` reseeds at fork)
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None and env.get("MPLBACKEND"):  # what matplotlib reads as it is imported
        matplotlib.rcParams["backend"] = env["MPLBACKEND"]
    if cwd:
        os.chdir(cwd)
    for name in [m for m in sys.modules if m == "research" or m.startswith("research.")]:
        del sys.modules[name]
    # sys.path of `python -m ipykernel_launcher` under this environment: PYTHONPATH first, then
    # the interpreter's own
    head = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = head + [p for p in path if p not in head]
    import ipykernel_launcher

    sys.argv = [ipykernel_launcher.__file__, *args]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover
        return 4096


def _reset_multiprocessing() -> None:
    """What a new interpreter has: this is the main process, with no children, no finalizers,
    and no connection to the run's forkserver or resource tracker (their descriptors are closed)."""
    import itertools
    from multiprocessing import forkserver, process, resource_tracker, util

    process._current_process = _MainProcess()  # type: ignore[attr-defined]
    process._parent_process = None  # type: ignore[attr-defined]
    process._children = set()  # type: ignore[attr-defined]
    process._process_counter = itertools.count(1)  # type: ignore[attr-defined]
    util._finalizer_registry.clear()  # type: ignore[attr-defined]
    util._run_after_forkers()  # type: ignore[attr-defined]
    # re-initialised in place: the modules' functions are bound methods of these instances
    forkserver._forkserver.__init__()  # type: ignore[attr-defined,misc]
    resource_tracker._resource_tracker.__init__()  # type: ignore[attr-defined,misc]


class _MainProcess(multiprocessing.process.BaseProcess):
    """multiprocessing's own main-process record (``process._MainProcess``, which it deletes
    after use), with a new authkey as a new interpreter gets."""

    def __init__(self) -> None:
        self._identity = ()
        self._name = "MainProcess"
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {"authkey": multiprocessing.process.AuthenticationString(os.urandom(32)),
                        "semprefix": "/mp"}

    def close(self) -> None:
        pass


def _reset_asyncio() -> None:
    """No running loop and no current loop: the fork happened inside the worker's event loop,
    whose selector is shared with the worker and must not be touched."""
    import asyncio

    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


class ForkedProcess:
    """The parts of :class:`subprocess.Popen` that jupyter_client's local provisioner uses, for
    a child this process forked."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired([LAUNCHER], timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)
