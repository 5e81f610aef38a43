#!/usr/bin/env python3
"""countproxy.py LISTEN_PATH TARGET_PATH STATS_FILE [LOG] - a Unix socket proxy
that counts the HTTP requests a client makes to the engine (the bench points
the CLI or the console at LISTEN_PATH with -H). On SIGTERM or SIGINT it
writes STATS_FILE and exits; SIGUSR1 writes it and goes on:

    requests N          request lines seen (GET /v1.41/... HTTP/1.1)
    connections N       client connections accepted
    peak_connections N  most client connections open at once
    peak_outstanding N  most requests sent whose response had not started
    path N <METHOD> <path without query>   one line per distinct path

"Outstanding" runs from a request line to the first response bytes on the
same connection (HTTP/1.1 without pipelining), so it is the number of
requests the engine was working on at once. LOG, when given, gets one line
per request: METHOD PATH SENT FIRST LAST, the wall-clock times (time.time())
of the request line and of the first and last response bytes seen before the
next request on the connection ("-" when none yet)."""
import os
import re
import selectors
import signal
import socket
import sys
import time

REQ = re.compile(rb"(?m)^(GET|POST|PUT|DELETE|HEAD) (/\S*) HTTP/1\.[01]\r$")


def main():
    listen_path, target_path, stats_path = sys.argv[1], sys.argv[2], sys.argv[3]
    log_path = sys.argv[4] if len(sys.argv) > 4 else None
    try:
        os.unlink(listen_path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen_path)
    srv.listen(128)
    srv.setblocking(False)

    stats = {"requests": 0, "connections": 0, "peak_connections": 0, "peak_outstanding": 0}
    paths = {}
    waiting = {}          # client socket -> requests without a response yet
    outstanding = [0]
    clients = set()
    records = []          # [method, path, sent, first, last], in request order
    current = {}          # client socket -> its record being answered

    def dump(*_):
        with open(stats_path + ".tmp", "w") as f:
            for k, v in stats.items():
                f.write("%s %d\n" % (k, v))
            for (m, p), n in sorted(paths.items()):
                f.write("path %d %s %s\n" % (n, m, p))
        os.rename(stats_path + ".tmp", stats_path)
        if log_path:
            with open(log_path + ".tmp", "w") as f:
                for r in records:
                    f.write("%s %s %.6f %s %s\n" % (r[0], r[1], r[2],
                            "-" if r[3] is None else "%.6f" % r[3],
                            "-" if r[4] is None else "%.6f" % r[4]))
            os.rename(log_path + ".tmp", log_path)

    def stop(*_):
        dump()
        try:
            os.unlink(listen_path)
        except FileNotFoundError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, dump)

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
            if x in clients:
                clients.discard(x)
                current.pop(x, None)
                outstanding[0] -= waiting.pop(x, 0)
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
                clients.add(c)
                stats["connections"] += 1
                stats["peak_connections"] = max(stats["peak_connections"], len(clients))
                sel.register(c, selectors.EVENT_READ, None)
                sel.register(u, selectors.EVENT_READ, None)
                continue
            try:
                data = s.recv(262144)
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            if s in clients:
                for m in REQ.finditer(data):
                    stats["requests"] += 1
                    key2 = (m.group(1).decode(), re.sub(r"/containers/[^/]+/", "/containers/{name}/",
                                                         m.group(2).split(b"?")[0].decode("latin-1")))
                    paths[key2] = paths.get(key2, 0) + 1
                    current[s] = [key2[0], key2[1], time.time(), None, None]
                    records.append(current[s])
                    waiting[s] = waiting.get(s, 0) + 1
                    outstanding[0] += 1
                stats["peak_outstanding"] = max(stats["peak_outstanding"], outstanding[0])
            else:
                c = peer.get(s)
                r = current.get(c)
                if r is not None:
                    r[4] = time.time()
                    if r[3] is None:
                        r[3] = r[4]
                if c is not None and waiting.get(c) and data.startswith(b"HTTP/1."):
                    waiting[c] -= 1
                    outstanding[0] -= 1
            try:
                peer[s].sendall(data)
            except (OSError, KeyError):
                close(s)


if __name__ == "__main__":
    main()
