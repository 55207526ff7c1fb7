"""Framed messages over a Unix socket, with deadlines (both sides of the sandbox use it)."""
import socket
import time

from autograder.batch import wire


class ChannelClosed(ConnectionError):
    """The other side went away (it exited, crashed or was killed)."""


class ChannelTimeout(TimeoutError):
    """No complete message arrived before the deadline."""


class Channel:
    """Send and receive JSON messages (see ``wire``) over a connected stream socket."""

    def __init__(self, sock):
        self.sock = sock
        self.last_body = b""   # the bytes of the last message received (a key for memos)

    def send(self, message):
        self.send_frame(wire.pack(message))

    def send_frame(self, frame):
        """Send a frame ``wire.pack`` made."""
        try:
            self.sock.sendall(frame)
        except OSError as exc:
            raise ChannelClosed(str(exc)) from None

    def _read(self, size, deadline):
        chunks, missing = [], size
        while missing:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise ChannelTimeout("no answer in time")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(min(missing, 1 << 20))
            except socket.timeout:
                raise ChannelTimeout("no answer in time") from None
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None
            if not chunk:
                raise ChannelClosed("the other side closed the connection")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def receive(self, seconds=None):
        """The next message; ChannelTimeout after ``seconds``, ChannelClosed at end of stream,
        ``wire.WireError`` for bytes that are not a message."""
        deadline = None if seconds is None else time.monotonic() + seconds
        length = wire.frame_length(self._read(4, deadline))
        self.last_body = self._read(length, deadline)
        return wire.unpack(self.last_body)

    def close(self):
        self.sock.close()
