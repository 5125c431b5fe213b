#!/usr/bin/env python3
"""check_trace.py TRACE [--interrupted | --partial] - every line of a JSONL trace is a
complete JSON object; the last is trace_end. --interrupted: trace_end must
say "complete": false. --partial (a .part file left by a killed process):
every line but a cut-off last one must parse; no trace_end is expected.
Prints the line count; exits 1 with the first bad line otherwise."""
import json
import sys


def main(argv):
    path, mode = argv[1], (argv[2] if len(argv) > 2 else "")
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail and mode != "--partial":
        print(f"{path}: the last line has no newline: {tail[:80]!r}")
        return 1
    last = None
    for i, raw in enumerate(lines, 1):
        try:
            last = json.loads(raw)
        except ValueError as e:
            print(f"{path}:{i}: not JSON ({e}): {raw[:120]!r}")
            return 1
    if mode == "--partial":
        print(f"{len(lines)} complete lines" + (", a cut-off last line" if tail else ""))
        return 0
    if not isinstance(last, dict) or last.get("kind") != "trace_end":
        print(f"{path}: the last line is not trace_end: {str(last)[:200]}")
        return 1
    if mode == "--interrupted" and last.get("complete") is not False:
        print(f"{path}: trace_end does not say complete: false: {str(last)[:300]}")
        return 1
    print(f"{len(lines)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
