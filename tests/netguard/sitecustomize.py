"""Loaded by Python at start-up when this folder is on PYTHONPATH (tests only).

Makes every outbound network connection impossible: connects to anything but
loopback raise, and each attempt is appended to $NETGUARD_LOG so a test can
assert that none was even tried. DNS lookups of non-local names fail too.
"""

import os
import socket

_LOG = os.environ.get("NETGUARD_LOG")
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(what + "\n")


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = str(address[0])
    return host.startswith(_LOCAL)


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if not _is_local(address):
        _record(f"connect {address!r}")
        raise OSError(101, "network is unreachable (netguard)")
    return _connect(self, address)


def connect_ex(self, address):
    if not _is_local(address):
        _record(f"connect_ex {address!r}")
        return 101
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not str(host).startswith(_LOCAL) and host not in ("",):
        _record(f"getaddrinfo {host!r}")
        raise socket.gaierror(-2, "name resolution disabled (netguard)")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
