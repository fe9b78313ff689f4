"""Child processes of the development environment: started safely, stopped for sure.

Every child asks the kernel to SIGKILL it when its parent dies (Linux's
PR_SET_PDEATHSIG), so neither a crash nor `kill -9` of the Python process
leaves a server behind. Each runs in its own session: a Ctrl-C reaches only
us, and we stop the children in the order that suits them. The kernel ties
that signal to the *thread* that started the child, so start children from a
thread that lives as long as they should (the main thread, normally).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

STOP_TIMEOUT = 15.0

_PR_SET_PDEATHSIG = 1
# Resolved here, in the parent: a child between fork and exec must not call dlsym.
# None off Linux, where starting a child fails but importing this module does not.
_prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
if _prctl is not None:
    _prctl.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]


def spawn(
    argv: Sequence[str],
    log_path: Path | None,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a child that logs to `log_path` (or to our own output when None) and dies with us."""
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(log_path.open("ab")) if log_path is not None else None
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            cwd=cwd,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )


class StartError(RuntimeError):
    """A child exited during start, or did not become healthy in time."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def wait_until_healthy(
    name: str,
    url: str,
    children: Mapping[str, subprocess.Popen[bytes]],
    deadline: float,
    *,
    ca_file: Path | None = None,
    token: str | None = None,
) -> None:
    """Poll `url` until it answers 200; fail as soon as any child exits, or at `deadline`."""
    while True:
        for child, process in children.items():
            if process.poll() is not None:
                raise StartError(
                    child, f"{child} exited with code {process.returncode} during start"
                )
        answer = probe(url, ca_file, token)
        if answer == "ok":
            return
        if time.monotonic() > deadline:
            raise StartError(name, f"{name} not ready in time ({url}: {answer})")
        time.sleep(0.1)


def log_tail(log_path: Path, lines: int = 25) -> str:
    try:
        text = log_path.read_text(errors="replace").splitlines()
    except OSError as error:
        return f"(no log: {error})"
    tail = "\n".join(text[-lines:])
    return f"--- last {lines} lines of {log_path} ---\n{tail}"


def stop_with_parent(signum: int) -> None:
    """Have the kernel send this process `signum` when its parent dies."""
    if _prctl is None or _prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn`` that has the kernel SIGKILL the child once its parent is gone."""

    def preexec() -> None:
        stop_with_parent(signal.SIGKILL)
        # The parent may have died before prctl took effect; then no signal would come.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def terminate(name: str, process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, and SIGKILL if the process is still there after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.info("%s still running %.0f s after SIGTERM; killing it", name, timeout)
            process.kill()
            process.wait()


def probe(url: str, ca_file: Path | None, token: str | None) -> str:
    """Return "ok" when ``url`` answers 200, else a short reason for the error message."""
    request = urllib.request.Request(url)
    # Our own loopback servers: never through a proxy named in the environment.
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if ca_file is not None:
        if not ca_file.is_file():
            return f"{ca_file} not written yet"
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            context = ssl.create_default_context(cafile=str(ca_file))
        except ssl.SSLError as error:  # read while the server was still writing it
            return f"unreadable CA file: {error}"
        handlers.append(urllib.request.HTTPSHandler(context=context))
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=2) as response:
            return "ok" if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}: {error.read(500).decode(errors='replace').strip()}"
    except (OSError, ssl.SSLError) as error:
        return str(getattr(error, "reason", error))


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 now; all held open at once so they are distinct."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
