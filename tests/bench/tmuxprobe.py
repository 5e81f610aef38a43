#!/usr/bin/env python3
"""tmuxprobe.py SOCKET TARGET COMMAND ... - time what a console in a tmux pane
shows, for tests/bench/run.sh.

It attaches to the tmux server (tmux -L SOCKET) in control mode, where tmux
reports every piece of pane output as it arrives (%output). After each
output it captures the pane (capture-pane, over the same connection) and
checks the screen; a figure is the time from sending a key to the arrival of
the output that made the screen match. No polling: the resolution is that of
the pane's own writes, plus one capture round trip (~1 ms) per output.

Commands (a figure per line on stdout, in milliseconds):
  paint N              send Enter (the pane's shell then execs the console),
                       print "<wall clock of the Enter> <first> <visible>":
                       the header says "N tenants"; then no row on screen
                       shows "?" (its status file has been read). When all N
                       files are read is the proxy's to say (run.sh).
  move REPS            Down REPS times: time until the highlighted row moves
  logshow REPS TEXT    l, time until TEXT is on screen below the tabs; Escape
                       and Down between reps
  toggle REPS KEY ON OFF
                       KEY, time until ON is on screen; KEY, time until OFF
                       is (two figures a rep, e.g. p PAUSED following,)
"""
import os
import re
import select
import subprocess
import sys
import time

TIMEOUT = 120.0  # a first full list of 200 tenants can take this long on 2 busy cores


class Probe:
    def __init__(self, sock, target):
        self.target = target
        self.p = subprocess.Popen(["tmux", "-L", sock, "-C", "attach", "-t", target],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.fd = self.p.stdout.fileno()
        self.buf = b""
        self.last_output = 0.0
        # the attach itself answers with a block first: skip to our marker
        self.p.stdin.write(b"display-message -p deeplens-probe-ready\n")
        while True:
            line = self._line(time.monotonic() + TIMEOUT)
            if line is None:
                raise SystemExit("tmux control mode did not start")
            if line == b"deeplens-probe-ready":
                break
        while not (self._line(time.monotonic() + TIMEOUT) or b"").startswith(b"%end"):
            pass

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return None
            data = os.read(self.fd, 1 << 20)
            if not data:
                raise SystemExit("tmux control client ended")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def _note(self, line):
        if line.startswith(b"%output") or line.startswith(b"%extended-output"):
            self.last_output = time.monotonic()
            return True
        return False

    def cmd(self, command):
        """run a tmux command, return its output lines"""
        self.p.stdin.write(command.encode() + b"\n")
        out, inside = [], False
        while True:
            line = self._line(time.monotonic() + TIMEOUT)
            if line is None:
                raise SystemExit("tmux did not answer '%s'" % command)
            if not inside:
                if line.startswith(b"%begin"):
                    inside = True
                else:
                    self._note(line)
                continue
            if line.startswith(b"%end") or line.startswith(b"%error"):
                return out
            out.append(line.decode("utf-8", "replace"))

    def screen(self, escapes=False):
        return "\n".join(self.cmd("capture-pane -p %s-t %s" % ("-e " if escapes else "",
                                                               self.target)))

    def keys(self, *keys):
        self.cmd("send-keys -t %s %s" % (self.target, " ".join(keys)))

    def wait_output(self, deadline):
        """block until the pane writes something (or the deadline)"""
        while True:
            line = self._line(deadline)
            if line is None:
                return False
            if self._note(line):
                # take whatever else is already there, then look once
                while b"\n" in self.buf or select.select([self.fd], [], [], 0)[0]:
                    line = self._line(time.monotonic() + 0.001)
                    if line is None:
                        break
                    self._note(line)
                return True

    def until(self, pred, t0, timeout=TIMEOUT, escapes=False):
        """ms from t0 to the output after which pred(screen) holds"""
        deadline = time.monotonic() + timeout
        while True:
            scr = self.screen(escapes)
            if pred(scr):
                # the newest output read before this capture made it match
                return (max(self.last_output, t0) - t0) * 1000.0
            if not self.wait_output(deadline):
                raise SystemExit("timed out; the screen:\n" + scr)

    def settle(self, quiet=0.3, limit=5.0):
        """wait until the pane has been quiet for a moment"""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if not self.wait_output(time.monotonic() + quiet):
                return


# the header's counts: "200 tenants  5 ok  0 overdue ..." from 150 columns, "200: 5 ok 0 overdue ..."
# below (chrome.c), with warning and untested between overdue and failing
HEADER = re.compile(r"(\d+)(?: tenants?|:)\s+(\d+) ok\s+(\d+) overdue\s.*?(\d+) failing\s+(\d+) stopped")


def header_counts(scr):
    m = HEADER.search(scr.split("\n", 1)[0])
    return [int(x) for x in m.groups()] if m else None


SGR_RUN = re.compile(r"^(?:\x1b\[[0-9;]*m)+")
HIGHLIGHT = re.compile(r"\x1b\[(?:4[0-8]|7)m")


def selected_row(scr):
    """(row, text) of the list row drawn with a background (the selection)"""
    lines = scr.split("\n")
    for i, line in enumerate(lines[2:-2], 2):
        m = SGR_RUN.match(line)
        if m and HIGHLIGHT.search(m.group(0)):
            return i, re.sub(r"\x1b\[[0-9;]*m", "", line)
    return None


def main():
    sock, target, what = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    pr = Probe(sock, target)
    if what == "paint":
        n = int(args[0])
        wall0, t0 = time.time(), time.monotonic()
        pr.keys("Enter")

        def listed(s):
            c = header_counts(s)
            return c is not None and c[0] == n

        def visible_read(s):
            # every row on screen shows what its status file says ("?" until read)
            rows = [r for r in s.split("\n")[2:-2] if re.match(r"\S", r)]
            return bool(rows) and not any(re.search(r"\s\?(\s|$)", r) for r in rows)
        first = pr.until(listed, t0)
        seen = pr.until(visible_read, t0)
        print("%.6f %.1f %.1f" % (wall0, first, seen))
    elif what == "move":
        pr.settle()
        for _ in range(int(args[0])):
            before = selected_row(pr.screen(True))
            t0 = time.monotonic()
            pr.keys("Down")
            print("%.1f" % pr.until(lambda s, b=before: selected_row(s) not in (None, b), t0,
                                    escapes=True))
            sys.stdout.flush()
            pr.settle(0.15)
    elif what == "logshow":
        reps, text = int(args[0]), args[1]
        pr.settle()
        for _ in range(reps):
            t0 = time.monotonic()
            pr.keys("l")
            # below the header, the tab line and the first log line
            print("%.1f" % pr.until(lambda s: text in "\n".join(s.split("\n")[3:]), t0))
            sys.stdout.flush()
            pr.settle(0.2)
            pr.keys("Escape")
            pr.until(lambda s: header_counts(s) is not None and "Logs" not in s.split("\n")[1],
                     time.monotonic())
            pr.keys("Down")
            pr.settle(0.2)
    elif what == "toggle":
        reps, key, on, off = int(args[0]), args[1], args[2], args[3]
        for _ in range(reps):
            t0 = time.monotonic()
            pr.keys(key)
            a = pr.until(lambda s: on in s, t0)
            time.sleep(0.1)
            t0 = time.monotonic()
            pr.keys(key)
            b = pr.until(lambda s: off in s and on not in s, t0)
            print("%.1f %.1f" % (a, b))
            sys.stdout.flush()
            time.sleep(0.1)
    else:
        raise SystemExit("unknown command '%s'" % what)


if __name__ == "__main__":
    main()
