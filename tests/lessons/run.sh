#!/bin/sh
# tests/lessons/run.sh - the classroom labs against the stack as it is now:
# every lab's machine checks and links evaluated on its replayed trace
# (`lesson verify`), its answer key accepted and a wrong-answers file
# rejected with feedback (`lesson check`), every `$ ` command of its README
# run and the output it quotes found (readme_cmds.py), `lesson list/show`
# output, lessons discovery, a lab whose key no longer matches the trace
# reported as stale, and the lessons API of `serve` (api_check.py). Exits non-zero when any check fails.
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
NJ=${NJ_BIN:-$B/netjourney}
T=$(mktemp -d "${TMPDIR:-/tmp}/njles.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "  FAIL: $1"; fail=1; }
has() { if grep -Eq -- "$2" "$1"; then ok; else bad "$3: no /$2/ in output"; sed 's/^/    | /' "$1" | head -20; fi; }
hasnt() { if grep -Eq -- "$2" "$1"; then bad "$3: unexpected /$2/"; else ok; fi; }
[ -x "$NJ" ] || { echo "tests/lessons: $NJ not built"; exit 1; }

# 1. help, list, discovery
"$NJ" lesson --help >"$T/help" 2>&1 && ok || bad "lesson --help exits 0"
has "$T/help" '^usage: netjourney lesson' "lesson --help"
has "$T/help" 'check N ANSWERS' "lesson --help names check"
"$NJ" lesson >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "lesson without a command is a usage error (2)"
"$NJ" lesson list >"$T/list" 2>&1 && ok || bad "lesson list exits 0"
n=$(grep -Ec '^ ?[0-9]+  [0-9]{2}-' "$T/list")
[ "$n" -ge 15 ] && ok || bad "lesson list shows $n labs, expected at least 15"
for id in 01-journey 02-ip-rcv-checks 03-fragmentation 04-hostile-fragments 05-routing 06-netfilter 07-tcp 08-packet-filter 09-packet-sockets 10-arp-neighbours 11-forwarding 12-tcp-defences 13-own-capture 14-what-if 15-path-mtu; do
	has "$T/list" " $id " "lesson list names $id"
done
has "$T/list" 'icmp-echo.pcap, 6 questions' "lesson list shows capture and question count"
NJ_LESSONS=lessons "$NJ" lesson list >"$T/list2" 2>&1 && cmp -s "$T/list" "$T/list2" && ok || bad "\$NJ_LESSONS finds the same labs"
"$NJ" lesson --lessons "$T/none" list >"$T/nodir" 2>&1; [ $? -eq 1 ] && ok || bad "--lessons of a missing directory fails"
has "$T/nodir" 'not found' "a missing lessons directory is named"
"$NJ" lesson show 99 >"$T/no99" 2>&1; [ $? -eq 1 ] && ok || bad "lesson show 99 fails"
has "$T/no99" "no lesson '99'" "an unknown lesson is named"

# 2. every lab: files, checks against the trace, answers, README commands
for d in lessons/[0-9][0-9]-*/; do
	d=${d%/}; id=$(basename "$d"); nn=${id%%-*}
	for f in README.md lesson.json answers.txt; do [ -f "$d/$f" ] && ok || bad "$id: $f missing"; done
	sc=$(python3 -c "import json,sys; j=json.load(open('$d/lesson.json')); print(j.get('scenario') or '')")
	[ -z "$sc" ] || [ "$sc" = default ] || [ -f "$d/$sc" ] && ok || bad "$id: scenario $sc missing"
	"$NJ" lesson verify "$id" >"$T/verify.$id" 2>&1 && ok || { bad "$id: lesson verify (a check or link no longer matches the trace)"; grep -v '^ok' "$T/verify.$id"; }
	hasnt "$T/verify.$id" '^FAIL' "$id: verify"
	has "$T/verify.$id" ' link ' "$id: has deep links"
	"$NJ" lesson check --color=never "$nn" "$d/answers.txt" >"$T/right.$id" 2>&1 && ok || { bad "$id: the answer key is not accepted"; cat "$T/right.$id"; }
	has "$T/right.$id" '^Score: ([0-9]+)/\1$' "$id: full score"
	hasnt "$T/right.$id" '✗' "$id: no wrong answer in the key"
	w=tests/lessons/wrong/$id.txt
	if [ -f "$w" ]; then
		"$NJ" lesson check --color=never "$id" "$w" >"$T/wrong.$id" 2>&1
		[ $? -eq 1 ] && ok || bad "$id: wrong answers must exit 1"
		has "$T/wrong.$id" '^Score: 0/' "$id: wrong answers score 0"
		has "$T/wrong.$id" 'no answer \(add a line' "$id: a missing answer is reported"
		# each ✗ with an answer is followed by a feedback line
		awk '/✗ q[0-9]+: / && !/no answer/ { want=1; next } want { if ($0 !~ /^      [^ ]/) bad=1; want=0 } END { exit bad }' "$T/wrong.$id" \
			&& ok || bad "$id: every wrong answer has feedback"
	else
		bad "$id: $w missing"
	fi
	# answers from standard input; then each tricky answer alone (it may
	# hold the right keywords) must be marked wrong
	"$NJ" lesson check --color=never "$nn" - <"$d/answers.txt" >"$T/stdin.$id" 2>&1 && ok || bad "$id: lesson check N - (stdin) rejects the key"
	tr=tests/lessons/tricky/$id.txt
	if [ -f "$tr" ]; then
		nt=0
		while IFS= read -r line; do
			case $line in ''|'#'*) continue ;; esac
			q=${line%%:*}; nt=$((nt + 1))
			printf '%s\n' "$line" | "$NJ" lesson check --color=never "$nn" - >"$T/tricky.$id" 2>&1
			if grep -q "✗ $q: " "$T/tricky.$id"; then ok; else bad "$id: tricky answer passed: $line"; fi
		done <"$tr"
		[ "$nt" -ge 6 ] && ok || bad "$id: only $nt tricky answers"
	else
		bad "$id: $tr missing"
	fi
	python3 tests/lessons/readme_cmds.py "$d/README.md" "$NJ" >"$T/cmds.$id" 2>&1 && ok || { bad "$id: README commands"; cat "$T/cmds.$id"; }
	# lesson show: plain, 80 columns, code indented; bold/underlined headings with colour
	"$NJ" lesson show --color=never "$nn" >"$T/show.$id" 2>&1 && ok || bad "$id: lesson show"
	title=$(python3 -c "import json; print(json.load(open('$d/lesson.json'))['title'][:30])")
	grep -qF "Questions" "$T/show.$id" && ok || bad "$id: show has the questions"
	if grep -q "$(printf '\033')" "$T/show.$id"; then bad "$id: escape codes when not a TTY"; else ok; fi
	python3 - "$T/show.$id" <<'PY' && ok || bad "$id: lesson show wraps prose to 80 columns"
import sys
for l in open(sys.argv[1], encoding='utf-8'):
    l = l.rstrip('\n')
    if len(l) > 80 and not l.startswith('    ') and not l.startswith('|'):
        print('    too wide:', l); sys.exit(1)
PY
	has "$T/show.$id" '^    \$ netjourney ' "$id: show indents code blocks"
	hasnt "$T/show.$id" '^#+ |^```' "$id: show renders headings and fences"
	"$NJ" lesson show --color=always "$nn" >"$T/showc.$id" 2>&1
	grep -q "$(printf '\033')\[1;4m" "$T/showc.$id" && ok || bad "$id: headings bold+underlined with colour"
	[ -n "$title" ] || bad "$id: no title"
done

# a question for the teacher: never ✓ or ✗, not in the score; its model
# answer only once the student wrote something
printf 'q8: anything at all\n' | "$NJ" lesson check --color=never 4 - >"$T/teacher" 2>&1
has "$T/teacher" '^  \? q8: anything at all' "a teacher question is marked ?, not graded"
has "$T/teacher" 'Model answer: With overlaps' "a teacher question shows its model answer after an answer"
has "$T/teacher" '^Score: 0/7' "a teacher question does not count in the score"
printf 'q1: c\n' | "$NJ" lesson check --color=never 4 - >"$T/teacher0" 2>&1
hasnt "$T/teacher0" 'Model answer' "no model answer before the student answers"

# the README's questions are the ones lesson.json (and so the browser) asks
python3 tests/lessons/readme_questions.py lessons/[0-9][0-9]-*/ >"$T/rq" 2>&1 && ok || { bad "README questions"; cat "$T/rq"; }

# 3. a lab whose key no longer matches the stack is reported, not graded right
cp -r lessons/02-ip-rcv-checks "$T/02-stale"
mkdir -p "$T/labs" && mv "$T/02-stale" "$T/labs/02-stale" && cp -r lessons/01-journey "$T/labs/01-journey"
sed -i 's#"\.\./\.\./pcaps/#"'"$PWD"'/pcaps/#' "$T/labs/02-stale/lesson.json" "$T/labs/01-journey/lesson.json"
sed -i 's/"answer": "IP_CSUM"/"answer": "IP_INHDR"/' "$T/labs/02-stale/lesson.json"
"$NJ" lesson --lessons "$T/labs" check 2 lessons/02-ip-rcv-checks/answers.txt >"$T/stale" 2>&1
[ $? -eq 1 ] && ok || bad "a stale lesson must not pass"
has "$T/stale" 'out of date' "a stale key is reported"
"$NJ" lesson --lessons "$T/labs" verify 2 >"$T/stalev" 2>&1; [ $? -eq 1 ] && ok || bad "verify fails on a stale key"
has "$T/stalev" '^FAIL 02-stale q1: IP_CSUM' "verify names the question and what the trace says"
# a scripted prediction must resolve and ask what the browser knows
cp -r lessons/03-fragmentation "$T/labs/03-pred"
sed -i 's#"\.\./\.\./pcaps/#"'"$PWD"'/pcaps/#' "$T/labs/03-pred/lesson.json"
"$NJ" lesson --lessons "$T/labs" verify pred >"$T/pred" 2>&1 && ok || { bad "verify of a copied lab with predictions"; cat "$T/pred"; }
has "$T/pred" '^ok   03-pred predict completes: seq [0-9]+' "verify resolves each prediction"
sed -i 's/"ask":"completes"/"ask":"guess"/; s/"ask": "completes"/"ask": "guess"/' "$T/labs/03-pred/lesson.json"
"$NJ" lesson --lessons "$T/labs" verify pred >"$T/pred2" 2>&1; [ $? -eq 1 ] && ok || bad "verify must fail on an unknown prediction"
has "$T/pred2" '^FAIL 03-pred predict guess: ask "guess"' "verify names the unknown prediction"
rm -rf "$T/labs/03-pred"
# a check that finds nothing is an error, not an answer
sed -i 's/"pkt": 9, "value": "reason"/"pkt": 99, "value": "reason"/' "$T/labs/02-stale/lesson.json"
"$NJ" lesson --lessons "$T/labs" verify stale >"$T/stale99" 2>&1
has "$T/stale99" 'no packet 99' "a check on a missing packet is reported"

# 3b. a teacher's lab: lesson new scaffolds it, lesson verify DIR accepts
# it; a question whose key the trace contradicts makes verify fail, the
# right key makes it pass, and new never overwrites a lab
"$NJ" lesson new pcaps/tcp-syn.pcap "$T/teach/09-mine" >"$T/new" 2>&1 && ok || { bad "lesson new"; cat "$T/new"; }
for f in README.md lesson.json answers.txt tcp-syn.pcap; do [ -f "$T/teach/09-mine/$f" ] && ok || bad "lesson new: $f missing"; done
has "$T/teach/09-mine/lesson.json" '"fn":.*"tcp_v4_rcv"' "lesson new links packet 2 to the event that dropped it"
"$NJ" lesson verify "$T/teach/09-mine" >"$T/newv" 2>&1 && ok || { bad "lesson verify accepts what lesson new made"; cat "$T/newv"; }
has "$T/newv" '^ok   09-mine link "packet 2 ' "verify resolves the scaffold's links"
"$NJ" lesson new pcaps/tcp-syn.pcap "$T/teach/09-mine" >/dev/null 2>&1 && bad "lesson new overwrote a lab" || ok
python3 - "$T/teach/09-mine/lesson.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j['questions'] = [{"id": "q1", "kind": "reason", "text": "Packet 2's drop reason?", "answer": "IP_CSUM",
                   "check": {"type": "outcome", "pkt": 2, "value": "reason"}}]
json.dump(j, open(sys.argv[1], 'w'))
PY
echo 'q1: IP_CSUM' >>"$T/teach/09-mine/answers.txt"
"$NJ" lesson verify "$T/teach/09-mine" >"$T/newbad" 2>&1; [ $? -eq 1 ] && ok || bad "verify must fail on a key the trace contradicts"
has "$T/newbad" '^FAIL 09-mine q1: NO_SOCKET' "verify names what the trace says"
sed -i 's/IP_CSUM/NO_SOCKET/' "$T/teach/09-mine/lesson.json" "$T/teach/09-mine/answers.txt"
"$NJ" lesson verify "$T/teach/09-mine" >"$T/newok" 2>&1 && ok || { bad "verify of the corrected lab"; cat "$T/newok"; }
has "$T/newok" '^ok   09-mine answers.txt: 1/1' "verify grades the key"
echo 'q1: IP_CSUM' >>"$T/teach/09-mine/answers.txt"
"$NJ" lesson verify "$T/teach/09-mine" >"$T/newkey" 2>&1; [ $? -eq 1 ] && ok || bad "verify must fail on a wrong answers.txt"
"$NJ" lesson new pcaps/none.pcap "$T/teach/10-x" >"$T/newno" 2>&1; [ $? -eq 1 ] && ok || bad "lesson new of a missing capture fails"

# 4. the lessons API of serve (web/api_lessons.c)
python3 tests/lessons/api_check.py "$NJ" >"$T/api" 2>&1 && ok || { bad "lessons API"; cat "$T/api"; }

echo "tests/lessons: $pass checks passed$( [ $fail -eq 0 ] || echo ', some FAILED')"
exit $fail
