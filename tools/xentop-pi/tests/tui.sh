#!/bin/bash
# The interactive view in a real terminal (tmux, 80x24): every view by
# number and letter, sorting and reversing, scrolling through 300 pCPUs,
# pause, help, resize, NO_COLOR, quit and SIGTERM; the terminal is usable
# again after each exit (stty shows canonical mode and echo).
set -u
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
name=xtp-tui-$$
sock=xtp-tui-$$-0
nsess=0
T() { tmux -L "$sock" "$@"; }
# A new server (socket) per session: a server still exiting cannot race us.
new_server() { T kill-server 2>/dev/null; nsess=$((nsess + 1)); sock=xtp-tui-$$-$nsess; }
cleanup() {
    T kill-server 2>/dev/null
    [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
    wait 2>/dev/null
    rm -f /dev/shm/xte-$name
    rm -rf "$TMP"
}
trap cleanup EXIT

"$HELP/xtp-mktrace" "$TMP/k.trace"
"$HELP/xtp-mkshm" $name --pcpus 300 --domains 40 --seconds 120 --period 100 &
pid=$!
for i in $(seq 50); do [ -e /dev/shm/xte-$name ] && break; sleep 0.1; done

screen() { T capture-pane -J -p -t xtp; }
# wait_for PATTERN: poll the screen for up to 15 s (the machine may be busy).
wait_for() {
    for i in $(seq 150); do
        screen > "$TMP/screen"
        grep -Eq -- "$1" "$TMP/screen" && return 0
        sleep 0.1
    done
    cat "$TMP/screen" >&2
    fail "screen never showed /$1/"
}
key() { T send-keys -t xtp "$@"; }
# After the program exits the pane runs stty: the terminal must be sane.
restored() {
    wait_for "EXIT="
    grep -q "EXIT=$1" "$TMP/screen" || { cat "$TMP/screen"; fail "exit status, expected $1"; }
    wait_for "STTY:"
    grep -Eq "STTY:.* icanon( |$)" "$TMP/screen" && grep -Eq "STTY:.* echo( |$)" "$TMP/screen" \
        || { cat "$TMP/screen"; fail "terminal not restored"; }
}
start() {   # start ENV...: a fresh session running xentop-pi
    new_server
    T new-session -d -s xtp -x 80 -y 24 \
        "env $* '$XTP' --sim $name -d 0.3; echo EXIT=\$?; echo STTY: \$(stty -a | tr '\n' ' ' | grep -o ' -\?icanon\| -\?echo ' | tr -d '\n'); sleep 60"
}

start NO_COLOR=1 TERM=screen
wait_for "^xentop-pi - .* source sim:$name"
grep -q "pCPUs 300  domains 40  HVM vCPUs 80  PI limit 5" "$TMP/screen" || { cat "$TMP/screen"; fail "host facts"; }
grep -q " 1:PI .*sort PCPU asc" "$TMP/screen" || fail "tabs and sort"
grep -q "rows 1-18 of 300" "$TMP/screen" || fail "80x24 shows 18 rows"
[ "$(wc -L < "$TMP/screen")" -le 80 ] || fail "wider than 80 columns"
echo "ok: PI view at 80x24"

for v in "2:SIRQ/s" "3:INUSE" "4:FLUSH/s" "5:EMUL/s" "p:ADDS/s" "d:LATP99" "m:FRAMES" "e:IPI/FL" "x:WRITES/s" "1:WALKMAX"; do
    key "${v%%:*}"
    wait_for "${v#*:}"
done
echo "ok: every view by number and by letter"

key '>'
wait_for "sort LEN desc"
wait_for "^ +[0-9]+ +6 +5 "
key r
wait_for "sort LEN asc"
wait_for "^ +[0-9]+ +0 +5 "
key r
wait_for "sort LEN desc"
key '<'
wait_for "sort PCPU asc"
key s s
wait_for "sort LIMIT desc"
key '<' '<'
wait_for "sort PCPU asc"
echo "ok: sort by column, reverse"

key G
wait_for "rows 283-300 of 300"
grep -Eq "^ +299 " "$TMP/screen" || fail "last pCPU shown at End"
key Home
wait_for "rows 1-18 of 300"
key NPage
wait_for "rows 19-36 of 300"
key Down
wait_for "rows 20-37 of 300"
echo "ok: scrolling"

key Space
wait_for "\[PAUSED\]"
key Space
for i in $(seq 30); do screen | grep -q PAUSED || break; sleep 0.1; done
screen | grep -q PAUSED && fail "still paused"
echo "ok: pause"

key h
wait_for "xentop-pi keys"
key x
for i in $(seq 30); do screen | grep -q "xentop-pi keys" || break; sleep 0.1; done
screen | grep -q "xentop-pi keys" && fail "help did not close"
key '?'
wait_for "xentop-pi keys"
key Escape
echo "ok: help"

key 1 Home
T resize-window -t xtp -x 120 -y 40
wait_for "rows 1-34 of 300"
grep -q "sort PCPU asc" "$TMP/screen" || fail "after resize"
T resize-window -t xtp -x 80 -y 24
wait_for "rows 1-18 of 300"
[ "$(screen | wc -L)" -le 80 ] || fail "wider than 80 columns after resize"
echo "ok: resize"

# NO_COLOR: no colour escapes at all on screen.
T capture-pane -e -p -t xtp > "$TMP/esc"
grep -q $'\e\\[3[0-7]m\|\e\\[4[0-7]m\|\e\\[3[0-7];\|\e\\[4[0-7];' "$TMP/esc" && fail "NO_COLOR: colours used"
echo "ok: NO_COLOR honoured"

key q
restored 0
echo "ok: q quits, terminal restored"

# Colours by default; SIGTERM quits cleanly too.
start TERM=screen
wait_for "^xentop-pi - "
T capture-pane -e -p -t xtp > "$TMP/esc"
grep -q $'\e\\[3[0-7]m\|\e\\[4[0-7]m\|\e\\[3[0-7];\|\e\\[4[0-7];' "$TMP/esc" || fail "colours without NO_COLOR"
shell=$(T display-message -p -t xtp '#{pane_pid}')
xpid=$(pgrep -P "$shell" | head -1)
[ -n "$xpid" ] && grep -q xentop-pi /proc/$xpid/cmdline || fail "xentop-pi not found for SIGTERM"
kill -TERM "$xpid"
restored 0
echo "ok: colours by default; SIGTERM restores the terminal"

# A trace on standard input: keys come from the terminal (/dev/tty).
new_server
T new-session -d -s xtp -x 80 -y 24 \
    "cat '$TMP/k.trace' | TERM=screen '$XTP' --trace - -d 1 -V ept; echo EXIT=\$?; echo STTY: \$(stty -a | tr '\n' ' ' | grep -o ' -\?icanon\| -\?echo ' | tr -d '\n'); sleep 60"
wait_for "source trace:- "
wait_for "end of input: last sample shown"
grep -q "t=2.120s" "$TMP/screen" && grep -Eq "^ +1 dom1 +100.0 " "$TMP/screen" || { cat "$TMP/screen"; fail "trace from a pipe"; }
key q
restored 0
echo "ok: trace on standard input, keys from the terminal"

# A named pipe whose writer stays silent: q still quits at once.
mkfifo "$TMP/fifo"
new_server
T new-session -d -s xtp -x 80 -y 24 \
    "(cat '$TMP/k.trace'; sleep 40) > '$TMP/fifo' & TERM=screen '$XTP' --trace '$TMP/fifo' -d 1; echo EXIT=\$?; echo STTY: \$(stty -a | tr '\n' ' ' | grep -o ' -\?icanon\| -\?echo ' | tr -d '\n'); sleep 60"
wait_for "t=2.000s"
key q
t0=$(date +%s)
restored 0
[ $(( $(date +%s) - t0 )) -le 8 ] || fail "quitting waited for the silent writer (40 s)"
echo "ok: quits while the trace pipe is silent"

# A recording replays at the pace it was recorded: with --cpu-hz at a
# quarter of the trace's clock and -d 4 its samples are 4 s apart (t = 4,
# 8, 8.48 s) and stay that long on screen although the refresh is 0.2 s.
"$XTP" -b --cpu-hz 250000000 -d 4 --trace "$TMP/k.trace" --record "$TMP/ok.db" > /dev/null || fail "record"
new_server
T new-session -d -s xtp -x 80 -y 24 \
    "TERM=screen '$XTP' --replay '$TMP/ok.db' -d 0.2; echo EXIT=\$?; echo STTY: \$(stty -a | tr '\n' ' ' | grep -o ' -\?icanon\| -\?echo ' | tr -d '\n'); sleep 60"
wait_for "t=4.000s"
sleep 2
screen | grep -q "t=4.000s" || fail "replay ran ahead of the recorded pace"
wait_for "t=8.000s"
wait_for "end of input"
grep -q "t=8.480s" "$TMP/screen" || fail "replay: last sample"
key q
restored 0
echo "ok: replay at the recorded pace"

# An error after the screen is up (a damaged sample further into a
# recording): endwin first, then the one line.
kill "$pid"; wait "$pid" 2>/dev/null; pid=
"$XTP" -b --trace "$TMP/k.trace" --record "$TMP/bad.db" > /dev/null || fail "record"
sqlite3 "$TMP/bad.db" "UPDATE ctr_pi_pcpu SET adds = 'x' WHERE sample_ns = 2120000000 AND pcpu = 1" || fail "sqlite3"
new_server
T new-session -d -s xtp -x 80 -y 24 \
    "TERM=screen '$XTP' --replay '$TMP/bad.db' -d 0.5; echo EXIT=\$?; echo STTY: \$(stty -a | tr '\n' ' ' | grep -o ' -\?icanon\| -\?echo ' | tr -d '\n'); sleep 60"
wait_for "EXIT="
grep -q "EXIT=1" "$TMP/screen" && grep -q "xentop-pi: $TMP/bad.db: table ctr_pi_pcpu run_id 1 sample_ns 2120000000 pcpu 1: field adds is not an integer" "$TMP/screen" \
    || { cat "$TMP/screen"; fail "error exit"; }
restored 1
echo "ok: error mid-run: one line, terminal restored"
