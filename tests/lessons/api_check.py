#!/usr/bin/env python3
"""api_check.py NJ - the lessons API of `netjourney serve`: /api/lessons lists
every lab, /api/lessons/N gives README and lesson.json without the answer
key, POST /api/lessons/N/open replays the lab once (same trace id twice) and
resolves every link to an event of the linked packet and function, and
POST /api/lessons/N/check (text/plain lines or JSON) grades as `lesson check`
does: the same ✓/✗ per question and the same score for the answer key, the
wrong answers and every tricky answer of tests/lessons/tricky/."""
import glob, os
import json, re, socket, subprocess, sys, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p

def get(url, method='GET', body=b'', ctype=None):
    req = urllib.request.Request(url, method=method, data=body if method == 'POST' else None)
    if ctype:
        req.add_header('Content-Type', ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

def cli(nj, n, text):
    """lesson check N - on text: {qid: ok} for the graded questions, the score line."""
    p = subprocess.run([nj, 'lesson', '--lessons', 'lessons', 'check', '--color=never', str(n), '-'],
                       input=text.encode(), capture_output=True)
    out = p.stdout.decode()
    marks = {m.group(2): m.group(1) == '✓' for m in re.finditer(r'^  ([✓✗]) (q\w+): (?!no answer \(add)', out, re.M)}
    score = re.search(r'^Score: (\d+)/(\d+)', out, re.M)
    return marks, (int(score.group(1)), int(score.group(2))) if score else None

def check_agree(nj, base, l, bad):
    """The API and the CLI on the same answers: key, wrong file, each tricky line."""
    sets = [open(f"lessons/{l['id']}/answers.txt").read()]
    for f in (f"tests/lessons/wrong/{l['id']}.txt", f"tests/lessons/tricky/{l['id']}.txt"):
        if os.path.exists(f):
            lines = [x for x in open(f).read().splitlines() if x.strip() and not x.startswith('#')]
            sets += ['\n'.join(lines)] if 'wrong' in f else lines
    for i, text in enumerate(sets):
        marks, score = cli(nj, l['n'], text)
        asjson = i % 2 == 1
        if asjson:
            ans = {}
            for x in text.splitlines():
                if ':' in x and not x.startswith('#'):
                    k, v = x.split(':', 1); ans[k.strip()] = v.strip()
            st, r = get(f"{base}/api/lessons/{l['n']}/check", 'POST', json.dumps(ans).encode(), 'application/json')
        else:
            st, r = get(f"{base}/api/lessons/{l['n']}/check", 'POST', text.encode(), 'text/plain')
        if st != 200:
            bad.append(f"lesson {l['n']} check: {st} {r}"); continue
        api = {q['id']: q['ok'] for q in r['questions'] if q['ok'] is not None and q['answer'] is not None}
        if api != marks or (r['score'], r['total']) != score:
            bad.append(f"lesson {l['n']} answers {text[:40]!r}: API {api} {r['score']}/{r['total']} but CLI {marks} {score}")
        if i == 0 and r['score'] != r['total']:
            bad.append(f"lesson {l['n']}: the key scores {r['score']}/{r['total']} through the API")

def main():
    nj, port = sys.argv[1], free_port()
    srv = subprocess.Popen([nj, 'serve', '--port', str(port), '--lessons', 'lessons', 'pcaps/icmp-echo.pcap'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, bad = f'http://127.0.0.1:{port}', []
    try:
        for _ in range(100):
            try:
                get(base + '/api/traces'); break
            except OSError:
                time.sleep(0.1)
        st, ls = get(base + '/api/lessons')
        if st != 200 or len(ls['lessons']) < 14:
            bad.append(f'/api/lessons: {st} {ls}')
        for l in ls['lessons']:
            st, d = get(f"{base}/api/lessons/{l['n']}")
            qs = d.get('lesson', {}).get('questions', [])
            if st != 200 or not d.get('readme') or not qs:
                bad.append(f"lesson {l['n']}: {st}, readme or questions missing")
            if any('answer' in q or 'check' in q or 'feedback' in q for q in qs):
                bad.append(f"lesson {l['n']}: the answer key is sent to the browser")
            st, o = get(f"{base}/api/lessons/{l['n']}/open", 'POST')
            st2, o2 = get(f"{base}/api/lessons/{l['n']}/open", 'POST')
            if st != 200 or o2.get('trace') != o.get('trace'):
                bad.append(f"lesson {l['n']} open: {st} {o.get('trace')} then {o2.get('trace')}")
                continue
            for k in o.get('predict', []):
                st, p = get(f"{base}/api/traces/{o['trace']}/packets/{k['pkt']}")
                ev = [e for e in p.get('steps', []) if e['seq'] == k.get('seq')]
                if not ev or ev[0]['fn'] != k['fn'] or k['ask'] not in ('route', 'drop_reason', 'counter', 'completes'):
                    bad.append(f"lesson {l['n']} predict {k}: not resolved to {k.get('fn')} in packet {k['pkt']}")
            for k in o['links']:
                st, p = get(f"{base}/api/traces/{o['trace']}/packets/{k['pkt']}")
                ev = [e for e in p.get('steps', []) if e['seq'] == k.get('seq')]
                if not ev or (k.get('fn') and ev[0]['fn'] != k['fn']):
                    bad.append(f"lesson {l['n']} link {k['label']!r}: seq {k.get('seq')} is not {k.get('fn')} in packet {k['pkt']}")
        for l in ls['lessons']:
            check_agree(nj, base, l, bad)
        st, e = get(base + '/api/lessons/1/check', 'POST', b'{"q1": [1]}', 'application/json')
        if st != 400:
            bad.append(f'a JSON answer that is not a string: {st}, expected 400')
        st, e = get(base + '/api/lessons/1/check', 'POST', b'x' * 70000, 'text/plain')
        if st != 413:
            bad.append(f'a 70 kB answers body: {st}, expected 413')
        st, e = get(base + '/api/lessons/99')
        if st != 404 or 'error' not in e:
            bad.append(f'/api/lessons/99: {st}')
        st, e = get(base + '/api/lessons/1/open')
        if st != 405:
            bad.append(f'GET /api/lessons/1/open: {st}, expected 405')
    finally:
        srv.terminate(); srv.wait()
    for b in bad:
        print('  FAIL', b)
    print(f"  lessons API: {'ok' if not bad else f'{len(bad)} problem(s)'}")
    return 1 if bad else 0

sys.exit(main())
