"""The few socket calls the robot's processes make on their Unix datagram
sockets, done the same way (coretech/messaging/shared/LocalUdpServer.cpp and
LocalUdpClient.cpp): non-blocking, 256 KiB buffers, unlink then bind."""

import ctypes
import errno
import fcntl
import os
import socket
import struct
import termios

from clad_layouts import SOCKET_BUFFER_SIZE

_libc = ctypes.CDLL(None, use_errno=True)


class _SockAddr(ctypes.Structure):
    _fields_ = [("sa_family", ctypes.c_ushort), ("sa_data", ctypes.c_char * 14)]


def make_dgram_socket(buffer_size: int = SOCKET_BUFFER_SIZE, nonblocking: bool = True):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setblocking(not nonblocking)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # The kernel caps these at net.core.[rw]mem_max, as on the robot.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buffer_size)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer_size)
    return sock


def unlink_quietly(path: str):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def bind_fresh(sock, path: str):
    """unlink(path) then bind, as every robot process does with its own name."""
    unlink_quietly(path)
    sock.bind(path)


def disconnect(sock):
    """Undo a datagram connect(): connect to an AF_UNSPEC address
    (LocalUdpServer::Disconnect). Python's connect() cannot express that."""
    address = _SockAddr(socket.AF_UNSPEC)
    if _libc.connect(sock.fileno(), ctypes.byref(address), ctypes.sizeof(address)) != 0:
        code = ctypes.get_errno()
        if code != errno.ENOENT:
            raise OSError(code, os.strerror(code))


def output_queue_bytes(sock) -> int:
    """SIOCOUTQ: the memory the socket's sent datagrams still hold until the
    receiver reads them. A send fails with EAGAIN once it reaches SO_SNDBUF
    (the receiver's queue length counts only for a receiver not connected
    back to the sender)."""
    result = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    return struct.unpack("i", result)[0]


def errno_name(error: OSError) -> str:
    code = getattr(error, "errno", None)
    if code is None:
        return type(error).__name__
    return errno.errorcode.get(code, str(code))
