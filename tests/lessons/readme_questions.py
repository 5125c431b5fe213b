#!/usr/bin/env python3
"""readme_questions.py [--write] LAB... - the "## Questions" section of each
lab's README.md, as lesson.json says it (id, kind, text, choices): checks
that they agree (exit 1 naming the lab when not), or rewrites the section
with --write, so the text a student reads is the one the browser shows."""
import json, re, sys

def section(lab):
    j = json.load(open(f'{lab}/lesson.json', encoding='utf-8'))
    out = ['## Questions', '']
    for i, q in enumerate(j['questions'], 1):
        out.append(f"{i}. **{q['id']}** ({q.get('kind', 'text')}) {q['text']}")
        for k, v in (q.get('choices') or {}).items():
            out.append(f'   - {k}) {v}')
    return '\n'.join(out) + '\n'

def main():
    write = '--write' in sys.argv
    bad = 0
    for lab in [a for a in sys.argv[1:] if a != '--write']:
        p = f'{lab}/README.md'
        md = open(p, encoding='utf-8').read()
        m = re.search(r'^## Questions\n.*?(?=^## |\Z)', md, re.S | re.M)
        want = section(lab)
        if not m:
            print(f'  {lab}: README.md has no "## Questions" section'); bad = 1; continue
        have = m.group(0).rstrip('\n') + '\n'
        if have != want:
            if write:
                md = md[:m.start()] + want + ('\n' if md[m.end():] else '') + md[m.end():]
                open(p, 'w', encoding='utf-8').write(md)
                print(f'  {lab}: questions rewritten')
            else:
                print(f'  {lab}: README questions differ from lesson.json (readme_questions.py --write {lab})'); bad = 1
    return bad

sys.exit(main())
