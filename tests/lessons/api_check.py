#!/usr/bin/env python3
"""api_check.py NJ - the lessons API of `netjourney serve`: /api/lessons lists
every lab, /api/lessons/N gives README and lesson.json without the answer
key, POST /api/lessons/N/open replays the lab once (same trace id twice) and
resolves every link to an event of the linked packet and function."""
import json, socket, subprocess, sys, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p

def get(url, method='GET'):
    req = urllib.request.Request(url, method=method, data=b'' if method == 'POST' else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

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
        if st != 200 or len(ls['lessons']) < 8:
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
            for k in o['links']:
                st, p = get(f"{base}/api/traces/{o['trace']}/packets/{k['pkt']}")
                ev = [e for e in p.get('steps', []) if e['seq'] == k.get('seq')]
                if not ev or (k.get('fn') and ev[0]['fn'] != k['fn']):
                    bad.append(f"lesson {l['n']} link {k['label']!r}: seq {k.get('seq')} is not {k.get('fn')} in packet {k['pkt']}")
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
