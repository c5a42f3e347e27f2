#!/bin/sh
# Smoke test of the real terminal front end: memtrack-tui runs in a detached
# tmux session (private server, 80x24, TERM=xterm-256color, UTF-8), keys go
# in with send-keys and the screen comes back with capture-pane.  Covers
# moving, opening and going back, help, resizes (wider and narrower), a `:`
# query with tab completion and history, cancelling a prompt, the
# incremental search, quitting with
# status 0 and a restored terminal, SIGTERM restoring it too, NO_COLOR, and
# a big dump's browser detached from the process the shell waits for
# (MEMTRACK_DETACH_FROM: quit, SIGTERM to the waiter, off, a small dump).
# Every wait is bounded.
# Skipped (77) when tmux is not installed.
. "${MEMTRACK_SRCDIR:?run through make check}/tests/batch/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux is not installed: skipping the terminal smoke test" \
		"(apt-get install tmux)"
	exit 77
fi

# A private server whose socket lives in the scratch directory.
unset TMUX
TMUX_TMPDIR=$T
export TMUX_TMPDIR
# Each run gets its own server: a new one on a socket still shutting down
# would fail.
SOCK=mt$$
runs=0
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
next_server() {
	tm kill-server >/dev/null 2>&1
	runs=$((runs + 1))
	SOCK=mt$$-$runs
}
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

"$MKDUMP" demo "$T/demo.mp" || { echo "mkdump failed" >&2; exit 99; }
STATE=$T/state

# nap: a tenth of a second (whole seconds where sleep wants integers).
nap() { sleep 0.1 2>/dev/null || sleep 1; }

screen() { tm capture-pane -p -t mt 2>/dev/null; }
show() { echo "--- screen ($1) ---" >&2; screen >&2; echo "---" >&2; }
pane() { tm display-message -p -t mt "$1" 2>/dev/null; }

# has TEXT: the screen shows TEXT now (fixed string).
has() { screen | grep -F -q -e "$1"; }

# wait_for TEXT WHAT: waits up to 10 s for TEXT on the screen.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		has "$1" && return 0
		nap
		i=$((i + 1))
	done
	fail "$2: the screen never showed '$1'"
	show "$2"
	return 1
}

# wait_gone TEXT WHAT: waits up to 10 s for TEXT to leave the screen.
wait_gone() {
	i=0
	while [ $i -lt 100 ]; do
		has "$1" || return 0
		nap
		i=$((i + 1))
	done
	fail "$2: '$1' stayed on the screen"
	show "$2"
	return 1
}

# line N: the Nth line of the screen.
line() { screen | sed -n "${1}p"; }

# wait_layout ROWS COLS WHAT: waits up to 10 s for a screen laid out for
# ROWS x COLS: the title on line 1, the status line on line ROWS.  (tmux
# first crops the old screen itself; its output is never wider than the
# window, so width is checked through what the title shows.)
wait_layout() {
	i=0
	while [ $i -lt 100 ]; do
		if line 1 | grep -q 'pid ' && line "$1" | grep -q 'row '; then
			return 0
		fi
		nap
		i=$((i + 1))
	done
	fail "$3: the screen was not laid out again for $2x$1"
	show "$3"
	return 1
}

# start [VAR=VALUE...]: starts memtrack-tui on the demo dump ($MT_FILE
# when set) in a new
# server, under a shell that then prints its exit status and the tty modes
# and stays, so the state the program left the terminal in can be read.
start() {
	next_server
	tm new-session -d -s mt -x 80 -y 24 \
		sh -c '"$@"; echo "memtrack-exit=$?"; stty -a; exec sleep 60' \
		sh env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		XDG_STATE_HOME="$STATE" "$@" "$TUI" "${MT_FILE:-$T/demo.mp}" ||
		{ echo "tmux new-session failed" >&2; exit 99; }
}

# quit WHAT: sends Q, checks status 0 and a terminal back to normal.
quit() {
	tm send-keys -t mt Q
	wait_for "memtrack-exit=" "$1" || return 1
	has "memtrack-exit=0" || { fail "$1: exit status not 0"; show "$1"; }
	[ "$(pane '#{alternate_on}')" = 0 ] ||
		fail "$1: still on the alternate screen"
	[ "$(pane '#{keypad_flag}')" = 0 ] || fail "$1: keypad mode left on"
	[ "$(pane '#{mouse_any_flag}')" = 0 ] || fail "$1: mouse mode left on"
	[ "$(pane '#{cursor_flag}')" = 1 ] || fail "$1: the cursor stays hidden"
	screen | grep -q -e ' icanon' && screen | grep -q -e ' echo ' ||
		{ fail "$1: the tty is not back in canonical mode with echo"; show "$1"; }
}

# ---- first run: keys, resize, query, quit --------------------------------
start
wait_for "Index" "start" || exit 1
has "all 21 rows" || { fail "start: not on the 'all' row"; show start; }
[ "$(line 24 | grep -c 'all 21 rows')" = 1 ] ||
	{ fail "start: the status line is not the last line"; show start; }

tm send-keys -t mt j j
wait_for "row 2 of" "j moves down"

tm send-keys -t mt Enter
wait_gone "row 2 of" "Enter opens the row"
tm send-keys -t mt h
wait_for "row 2 of" "h goes back to the cursor it left"

tm send-keys -t mt '?'
wait_for "previous row" "? opens the help view"
tm send-keys -t mt q
wait_for "row 2 of" "q closes the help view"

# wider: the layout follows the new size (tmux reflows the old screen
# first, so wait for the program's own layout: title on line 1, status on
# the last line, nothing wider than the window)
tm resize-window -t mt -x 100 -y 30
wait_layout 30 100 "resize 100x30"
line 1 | grep -q '2026-11-22 02:35Z' ||
	{ fail "resize 100x30: the title did not widen"; show 100x30; }
has "Index" || { fail "resize 100x30: the table is gone"; show 100x30; }

# narrower than 80: still a table and a status line
tm resize-window -t mt -x 60 -y 20
wait_layout 20 60 "resize 60x20"
has "Index" || { fail "resize 60x20: the table is gone"; show 60x20; }
[ "$(pane '#{pane_dead}')" = 0 ] || fail "resize 60x20: memtrack-tui died"
tm resize-window -t mt -x 80 -y 24
wait_layout 24 80 "resize back to 80x24"

# a prompt cancelled with Esc leaves the view as it was
tm send-keys -t mt : x y z z y
wait_for "xyzzy" "the : prompt echoes what is typed"
tm send-keys -t mt Escape
wait_gone "xyzzy" "Esc cancels the prompt"
wait_for "row 2 of" "after Esc the view is back"

# the incremental search: the cursor follows the text as it is typed, the
# prompt on the last line and the status line above it; Esc goes back
tm send-keys -t mt / n o d
wait_for "row 6 of" "/nod moves the cursor as it is typed"
line 24 | grep -q '^/nod' ||
	{ fail "/nod: the prompt is not on the last line"; show "/nod"; }
line 23 | grep -q 'row 6 of' ||
	{ fail "/nod: the status line is not above the prompt"; show "/nod"; }
screen | grep '^>' | grep -q '__main__.Node' ||
	{ fail "/nod: the cursor row is not the Node row"; show "/nod"; }
tm send-keys -t mt z
wait_for "not found: nodz" "/nodz says there is no match"
has "row 2 of" || { fail "/nodz: the cursor left the start row"; show "/nodz"; }
tm send-keys -t mt Escape
wait_gone "/nodz" "Esc cancels the search"
wait_for "row 2 of" "after Esc the cursor is back where the search started"
line 24 | grep -q 'row 2 of' ||
	{ fail "after the search: the status line is not the last"; show "search Esc"; }

# a query, completed with Tab: "h.byt" + Tab -> "h.bytype"
tm send-keys -t mt : h . b y t Tab
wait_for "h.bytype" "Tab completes after a dot"
tm send-keys -t mt Enter
wait_for "h.bytype" "the query result view"
wait_for "all 17 rows" "the query result view has rows"
hist=$STATE/memtrack/history-query
if [ ! -f "$hist" ] || ! grep -q -x 'h.bytype' "$hist"; then
	fail "the query history was not written to $hist"
fi

# Q quits with status 0 and gives the terminal back
quit "Q"

# ---- history across runs, and NO_COLOR -----------------------------------
start NO_COLOR=1
wait_for "Index" "start with NO_COLOR" || exit 1
esc=$(printf '\033')
sgr=$(tm capture-pane -p -e -t mt)
if printf '%s\n' "$sgr" | grep -q "$esc\[[0-9;]*\(3[0-7]\|4[0-7]\|38;\|48;\)"; then
	fail "NO_COLOR=1: the screen has colours"
	printf '%s\n' "$sgr" | cat -v | head -5 >&2
fi
printf '%s\n' "$sgr" | grep -q "$esc\[[0-9;]*7m" ||
	fail "NO_COLOR=1: no reverse video (the cursor row, the status line)"
tm send-keys -t mt : Up
wait_for "h.bytype" "Up recalls the query of the last run"
tm send-keys -t mt C-g
wait_gone "h.bytype" "^G cancels the prompt"
quit "Q with NO_COLOR"

# ---- a signal restores the terminal --------------------------------------
start
wait_for "Index" "start for SIGTERM" || exit 1
shpid=$(pane '#{pane_pid}')
pid=$(ps -A -o pid= -o ppid= | awk -v p="$shpid" '$2 == p { print $1 }')
if [ -z "$pid" ]; then
	fail "SIGTERM: cannot find memtrack-tui under the pane's shell $shpid"
else
	kill -TERM "$pid"
	if wait_for "memtrack-exit=" "SIGTERM"; then
		has "memtrack-exit=143" ||
			{ fail "SIGTERM: did not die of the signal"; show SIGTERM; }
		[ "$(pane '#{alternate_on}')" = 0 ] ||
			fail "SIGTERM: still on the alternate screen"
		[ "$(pane '#{mouse_any_flag}')" = 0 ] ||
			fail "SIGTERM: mouse mode left on"
		screen | grep -q -e ' icanon' && screen | grep -q -e ' echo ' ||
			{ fail "SIGTERM: the tty is not back in canonical mode with echo"; show SIGTERM; }
	fi
fi

# ---- a big dump's browser runs detached (detach.h): the process the
# ---- shell waits for only waits for the browser's status -----------------
# kids PID: the pids whose parent is PID.
kids() { ps -A -o pid= -o ppid= | awk -v p="$1" '$2 == p { print $1 }'; }
start MEMTRACK_DETACH_FROM=0
wait_for "Index" "start detached" || exit 1
shpid=$(pane '#{pane_pid}')
waiter=$(kids "$shpid")
tui=$(kids "$waiter")
[ -n "$waiter" ] && [ -n "$tui" ] ||
	fail "detached: no browser under the process the shell waits for ($shpid: '$waiter' '$tui')"
quit "Q detached"
start MEMTRACK_DETACH_FROM=0
wait_for "Index" "start detached for SIGTERM" || exit 1
shpid=$(pane '#{pane_pid}')
waiter=$(kids "$shpid")
tui=$(kids "$waiter")
if [ -z "$waiter" ] || [ -z "$tui" ]; then
	fail "detached SIGTERM: no waiter and browser under $shpid"
else
	kill -TERM "$waiter" # passed on to the browser, whose end is its
	if wait_for "memtrack-exit=" "detached SIGTERM"; then
		has "memtrack-exit=143" ||
			{ fail "detached SIGTERM: not the browser's end"; show "detached SIGTERM"; }
		[ "$(pane '#{alternate_on}')" = 0 ] ||
			fail "detached SIGTERM: still on the alternate screen"
		screen | grep -q -e ' icanon' && screen | grep -q -e ' echo ' ||
			{ fail "detached SIGTERM: the tty is not back in canonical mode"; show "detached SIGTERM"; }
		i=0
		while kill -0 "$tui" 2>/dev/null && [ $i -lt 100 ]; do
			nap
			i=$((i + 1))
		done
		kill -0 "$tui" 2>/dev/null && fail "detached SIGTERM: the browser lives on"
	fi
fi
start MEMTRACK_DETACH_FROM=off
wait_for "Index" "start not detached" || exit 1
shpid=$(pane '#{pane_pid}')
[ -z "$(kids "$(kids "$shpid")")" ] ||
	fail "MEMTRACK_DETACH_FROM=off: the browser still runs in a child"
quit "Q not detached"
# the demo dump is far below the default size: one process
start
wait_for "Index" "start small" || exit 1
shpid=$(pane '#{pane_pid}')
[ -z "$(kids "$(kids "$shpid")")" ] ||
	fail "a small dump: the browser runs in a child"
quit "Q small"

# ---- a process log: the timeline in block cells, Left Right in time, --
# ---- and the ASCII chart on a terminal that is not UTF-8 -----------------
printf '%s\n' \
	'{"memtrack_log": 1, "pid": 7, "interval": 1, "argv": ["app.py"], "t": 100.0, "rss": 10000000, "vms": 50000000}' \
	'{"t": 101.0, "rss": 30000000, "vms": 60000000, "label": "warm"}' \
	'{"t": 102.0, "rss": 20000000, "vms": 70000000}' >"$T/app.log"
MT_FILE=$T/app.log
start
wait_for "LOG app.log" "a log opens on its timeline" || exit 1
has "$(printf '\342\226\210')" || { fail "timeline: no block cells"; show timeline; }
tm send-keys -t mt Right
wait_for "sample 2 of 3" "Right moves the cursor in time"
has "label: warm" || { fail "Right: the sample's label is not shown"; show Right; }
tm send-keys -t mt Left
wait_for "sample 1 of 3" "Left moves it back"
quit "Q on the timeline"
start LANG=C LC_ALL=C
wait_for "LOG app.log" "the timeline under LANG=C" || exit 1
has "#" || { fail "LANG=C: no ASCII chart"; show "LANG=C"; }
has "$(printf '\342\226\210')" && { fail "LANG=C: block cells"; show "LANG=C"; }
quit "Q on the ASCII timeline"
MT_FILE=

finish
