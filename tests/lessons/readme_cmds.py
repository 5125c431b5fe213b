#!/usr/bin/env python3
"""readme_cmds.py README NJ - runs every `$ ` command of a lab's README (in
fenced code blocks, from the project root, `netjourney` being NJ) and
checks that each output line quoted under it appears in what the command
really printed (whitespace-trimmed, as a substring of one line). A quoted
line of "…" skips. Exits 1 and names the line when the text no longer
matches the stack."""
import os, subprocess, sys, tempfile

def blocks(path):
    code, cmd, quoted = False, None, []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('```'):
            if code and cmd:
                yield cmd, quoted
            code, cmd, quoted = not code, None, []
            continue
        if not code:
            continue
        if line.startswith('$ '):
            if cmd:
                yield cmd, quoted
            cmd, quoted = line[2:], []
        elif cmd and line.strip() and line.strip() not in ('…', '...'):
            quoted.append(line.strip())

def main():
    readme, nj = sys.argv[1], os.path.abspath(sys.argv[2])
    bindir = tempfile.mkdtemp(prefix='njles')
    os.symlink(nj, os.path.join(bindir, 'netjourney'))
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ['PATH'])
    bad = ran = 0
    for cmd, quoted in blocks(readme):
        ran += 1
        p = subprocess.run(['sh', '-c', cmd], capture_output=True, text=True, env=env, timeout=120)
        lines = [l.strip() for l in (p.stdout + p.stderr).splitlines()]
        # exit 1 is an answer, not a failure, for `lesson check` (a wrong
        # answer) and `diff` (some packet differs)
        if p.returncode not in (0, 1) or (p.returncode == 1 and 'lesson check' not in cmd and 'netjourney diff' not in cmd):
            print(f'  FAIL {readme}: `{cmd}` exited {p.returncode}: {p.stderr.strip()[:300]}')
            bad += 1
        for q in quoted:
            if not any(q in l for l in lines):
                print(f'  FAIL {readme}: `{cmd}` no longer prints: {q}')
                bad += 1
    os.unlink(os.path.join(bindir, 'netjourney'))
    os.rmdir(bindir)
    if not ran:
        print(f'  FAIL {readme}: no `$ ` commands to run')
        bad += 1
    print(f'  {readme}: {ran} commands, {"ok" if not bad else f"{bad} problem(s)"}')
    return 1 if bad else 0

sys.exit(main())
