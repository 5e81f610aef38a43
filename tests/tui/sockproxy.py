#!/usr/bin/env python3
"""sockproxy.py LISTEN_PATH TARGET_PATH - a Unix socket proxy for the console
tests: the console talks to LISTEN_PATH as if it were the engine; killing
this process makes the engine "unreachable" (connections drop, the socket
file goes away) without touching the shared test engine; starting it again
brings the engine back."""
import os
import selectors
import signal
import socket
import sys


def main():
    listen_path, target_path = sys.argv[1], sys.argv[2]
    try:
        os.unlink(listen_path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen_path)
    srv.listen(64)
    srv.setblocking(False)

    def stop(*_):
        try:
            os.unlink(listen_path)
        except FileNotFoundError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    peer = {}

    def close(s):
        other = peer.pop(s, None)
        for x in (s, other):
            if x is None:
                continue
            try:
                sel.unregister(x)
            except (KeyError, ValueError):
                pass
            peer.pop(x, None)
            x.close()

    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is srv:
                try:
                    c, _ = srv.accept()
                except BlockingIOError:
                    continue
                u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    u.connect(target_path)
                except OSError:
                    c.close()
                    u.close()
                    continue
                peer[c], peer[u] = u, c
                sel.register(c, selectors.EVENT_READ, None)
                sel.register(u, selectors.EVENT_READ, None)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            try:
                peer[s].sendall(data)
            except (OSError, KeyError):
                close(s)


if __name__ == "__main__":
    main()
