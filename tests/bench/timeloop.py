#!/usr/bin/env python3
"""timeloop.py RUNS WARMUP JSON_FILE COMMAND... - run each COMMAND (split like a
shell would, no shell started) WARMUP times, then RUNS times, and write
hyperfine-style JSON (results[].mean/median/min/max/stddev in seconds). The
bench uses it when hyperfine is not installed."""
import json
import shlex
import statistics
import subprocess
import sys
import time


def main():
    runs, warmup, out, cmds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    results = []
    for cmd in cmds:
        argv = shlex.split(cmd)
        times = []
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i >= warmup:
                times.append(time.perf_counter() - t0)
        results.append({"command": cmd, "mean": statistics.mean(times),
                        "median": statistics.median(times), "min": min(times),
                        "max": max(times),
                        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
                        "times": times})
    with open(out, "w") as f:
        json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
