"""Take network access away from a query worker process (defence in depth behind the SPARQL guard).

The guard refuses ``SERVICE`` before any store sees a query, but Oxigraph would execute one over HTTP
if a guard bug ever let it through. :func:`deny_network` makes the calling process unable to reach
any host, with every layer this machine allows:

- ``netns``: a new, empty network namespace (``unshare(CLONE_NEWNET)``; as root directly, otherwise
  inside a new user namespace). Its only interface, ``lo``, is down: nothing, not even 127.0.0.1,
  can be connected to.
- ``seccomp``: a libseccomp filter that makes ``socket(AF_INET | AF_INET6 | AF_PACKET, …)`` and
  ``io_uring_setup`` fail with ``EACCES`` for every thread of the process, present and future.

Unix sockets (the worker's pipe to its parent) keep working. Call it first thing in a fresh process,
before threads are started (a user namespace needs a single-threaded process).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000

# libseccomp's ABI (seccomp.h): actions, comparison operator, filter attributes.
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO_BASE = 0x00050000
SCMP_CMP_EQ = 4
SCMP_FLTATR_CTL_TSYNC = 4
DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, getattr(socket, "AF_PACKET", 17))


class _ArgCompare(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def deny_network() -> tuple[str, ...]:
    """Apply every isolation layer available; return the names of those that took effect."""
    layers = []
    if _new_network_namespace():
        layers.append("netns")
    if _seccomp_deny_inet_sockets():
        layers.append("seccomp")
    return tuple(layers)


def _new_network_namespace() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    # Without CAP_SYS_ADMIN an unprivileged user namespace may still grant one (kernel setting).
    return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def _seccomp_deny_inet_sockets() -> bool:
    path = ctypes.util.find_library("seccomp")
    if path is None:
        return False
    try:
        lib = ctypes.CDLL(path, use_errno=True)
    except OSError:
        return False
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCompare)
    ]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not context:
        return False
    deny = SCMP_ACT_ERRNO_BASE | errno.EACCES
    try:
        ok = lib.seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1) == 0
        socket_call = lib.seccomp_syscall_resolve_name(b"socket")
        for family in DENIED_FAMILIES:
            rule = _ArgCompare(0, SCMP_CMP_EQ, family, 0)
            ok = ok and lib.seccomp_rule_add_array(context, deny, socket_call, 1, ctypes.byref(rule)) == 0
        uring = lib.seccomp_syscall_resolve_name(b"io_uring_setup")
        if uring >= 0:  # io_uring can open sockets without the socket() call
            ok = ok and lib.seccomp_rule_add_array(context, deny, uring, 0, None) == 0
        return ok and lib.seccomp_load(context) == 0
    finally:
        lib.seccomp_release(context)


def network_reachable(host: str = "127.0.0.1", port: int = 9) -> bool:
    """True when this process can still open a TCP connection attempt (used by tests and start-up)."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except ConnectionRefusedError:
        return True  # the network answered: a refusal is an answer
    except OSError:
        return False


if __name__ == "__main__":  # `python -m vankien.graph.sandbox`: what this machine allows
    print("isolation layers:", ", ".join(deny_network()) or "none", "| pid", os.getpid())
    print("loopback reachable afterwards:", network_reachable())
