#!/usr/bin/env python3
"""sockproxy.py LISTEN_PATH TARGET_PATH [IDLE_FILE] - a Unix socket proxy for
the console tests: the console talks to LISTEN_PATH as if it were the engine;
killing this process makes the engine "unreachable" (connections drop, the
socket file goes away) without touching the shared test engine; starting it
again brings the engine back.

IDLE_FILE, when given, exists while nothing has gone through the proxy for
a second (after at least one connection): a test that waits for it takes
the engine away in one known state - the console idle, its events stream
open, no status read in flight - instead of whatever happened to be in
flight at that moment."""
import os
import selectors
import signal
import socket
import sys
import time

IDLE_AFTER = 1.0


def main():
    listen_path, target_path = sys.argv[1], sys.argv[2]
    idle_path = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        os.unlink(listen_path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen_path)
    srv.listen(64)
    srv.setblocking(False)

    def set_idle(idle):
        if not idle_path:
            return
        try:
            if idle:
                open(idle_path, "w").close()
            else:
                os.unlink(idle_path)
        except FileNotFoundError:
            pass

    set_idle(False)

    def stop(*_):
        set_idle(False)
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

    last = None     # when bytes last went through (None: no connection yet)
    idle = False
    while True:
        events = sel.select(0.1 if idle_path else None)
        if idle_path:
            quiet = last is not None and time.monotonic() - last >= IDLE_AFTER
            if events and idle:
                idle = False
                set_idle(False)
            elif quiet and not idle and not events:
                idle = True
                set_idle(True)
        for key, _ in events:
            last = time.monotonic()
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
