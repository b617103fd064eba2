#!/usr/bin/env bash
# Checks the systemd units under a real systemd 252, booted with systemd-nspawn in a Debian
# bookworm root of its own: the unit tests only read the unit files, this runs them.
# Manual (not in CI): it needs root, debootstrap and systemd-container, the Debian mirror
# once to build the root, and about 3 minutes besides the release build.
#
#   Scripts/systemd-nspawn-check.sh [--root DIR] [--binary PATH] [--keep-running]
#
#   --root DIR       the container's root (default: ../nspawn-root beside the repository;
#                    debootstrapped when it has no systemd yet; never inside the git tree)
#   --binary PATH    castor to install (default: .build/release/castor, built if missing)
#   --keep-running   leave the container booted at the end (stop it with kill -TERM PID)
#
# Never boots systemd on the host's own filesystem (its tmpfiles clean-up would empty the
# host's /tmp): only the container's root. The container has a private network (loopback
# only) and the simulator-only install (no keys). Prints PASS/FAIL per check; exits 1 when
# any check failed.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$repo")/nspawn-root"
binary="$repo/.build/release/castor"
keep=no
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --keep-running) keep=yes; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "systemd-nspawn-check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
root="$(realpath -m "$root")"
machine=castor-check

die() { echo "systemd-nspawn-check.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, systemd-nspawn)"
case "$root/" in "$repo"/*|/|/tmp/*) die "--root $root: use a folder outside the repository, / and /tmp" ;; esac
for tool in debootstrap systemd-nspawn nsenter; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install debootstrap systemd-container util-linux"
done

# --- the root -------------------------------------------------------------------------
if [ ! -x "$root/usr/lib/systemd/systemd" ]; then
  echo "==> debootstrap bookworm into $root"
  mkdir -p "$root"
  # castor's own shared libraries (the Swift runtime comes with install.sh) and systemd.
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,libcurl4,libssl3,libwslay1,libsqlite3-0,libxml2,ca-certificates,procps \
    bookworm "$root" >"$root.debootstrap.log" 2>&1 || die "debootstrap failed (see $root.debootstrap.log)"
fi
echo "$machine" >"$root/etc/hostname"
# Nothing to log in on, and no network to wait for: a boot without units that fail in a
# container of no network.
for unit in console-getty.service getty@.service systemd-networkd-wait-online.service; do
  ln -sfn /dev/null "$root/etc/systemd/system/$unit"
done

# --- castor in it, as an operator installs it -------------------------------------------
if [ ! -x "$binary" ]; then
  echo "==> building the release binary"
  (cd "$repo" && swift build -c release --product castor) || die "release build failed"
fi
rm -f "$root/etc/castor/castor.toml" "$root/etc/castor/sim.toml"
rm -rf "$root/etc/castor/credentials" "$root"/var/lib/castor* "$root"/var/lib/private/castor*
echo "==> deploy/install.sh --destdir $root"
"$repo/deploy/install.sh" --binary "$binary" --destdir "$root" >"$root.install.log" 2>&1 \
  || { cat "$root.install.log"; die "install.sh failed"; }
# The real file, not the link: ldd takes $ORIGIN from the path it is given, while an exec
# takes it from the binary's own directory.
missing=$(chroot "$root" ldd /usr/local/lib/castor/castor | grep "not found" || true)
[ -z "$missing" ] || die "castor needs libraries the root lacks: $missing"
cp "$root/etc/castor/castor.toml" "$root/etc/castor/castor.toml.good"
# Each run reads a journal of its own boot only.
rm -rf "$root"/var/log/journal/*

# --- boot -----------------------------------------------------------------------------
log="$root.boot.log"
echo "==> booting $root (console in $log)"
# --register=no and --keep-unit: no host systemd or machined to register with (this also
# works where there is one). --private-network: the container has loopback only.
systemd-nspawn --quiet --boot --directory="$root" --machine="$machine" --register=no --keep-unit \
  --private-network --console=read-only >"$log" 2>&1 &
nspawn=$!
leader=""
teardown() {
  [ "$keep" = yes ] && { echo "==> left running: systemd-nspawn pid $nspawn (kill -TERM $nspawn stops it)"; return; }
  if kill -0 "$nspawn" 2>/dev/null; then
    # SIGTERM makes nspawn ask the container's systemd for a clean poweroff.
    kill -TERM "$nspawn" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$nspawn" 2>/dev/null && { echo "==> container did not power off in 30 s: SIGKILL"; kill -KILL "$nspawn"; }
  fi
  wait "$nspawn" 2>/dev/null
  echo "==> container stopped"
}
trap teardown EXIT

for _ in $(seq 1 100); do
  leader=$(ps -o pid= --ppid "$nspawn" 2>/dev/null | head -1 | tr -d ' ')
  [ -n "$leader" ] && [ "$(cat /proc/"$leader"/comm 2>/dev/null)" = systemd ] && break
  kill -0 "$nspawn" 2>/dev/null || { cat "$log"; die "systemd-nspawn exited (its output above)"; }
  leader=""; sleep 0.2
done
[ -n "$leader" ] || { cat "$log"; die "no systemd inside the container after 20 s"; }

# Runs a command inside the container, as root, with a clean environment.
ct() {
  nsenter --target "$leader" --mount --uts --ipc --net --pid --cgroup --root --wd=/ -- \
    env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}
prop() { ct systemctl show -P "$2" "$1" 2>/dev/null; }

passed=0; failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %-34s %s\n' "$1" "$2"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %-34s %s\n' "$1" "$2"; }
# Waits up to $1 seconds for the command (or function) after it to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.5; done
}
# The journal of castor.service since the mark, as `-o cat` (the JSON lines).
journal_since() { ct journalctl -u "${2:-castor}" --since "@$1" -o cat --no-pager 2>/dev/null; }
now() { ct date +%s; }
# Whether castor's journal since the mark has the event $2.
logged() { journal_since "$1" | grep -q "\"event\":\"$2\""; }

state=$(ct timeout 60 systemctl is-system-running --wait 2>/dev/null)
for _ in $(seq 1 60); do
  case "$state" in running|degraded) break ;; esac
  sleep 0.5; state=$(ct systemctl is-system-running 2>/dev/null)
done
case "$state" in
  running) pass boot "systemd $(ct systemctl --version | head -1 | cut -d' ' -f2) in the container: running" ;;
  degraded) pass boot "degraded; failed units: $(ct systemctl list-units --failed --plain --no-legend | cut -d' ' -f1 | tr '\n' ' ')" ;;
  *) fail boot "system state '$state'"; tail -20 "$log"; exit 1 ;;
esac

# --- castor.service ------------------------------------------------------------------------
mark=$(now)
if ct timeout 120 systemctl start castor && [ "$(prop castor ActiveState)" = active ]; then
  pass "start (Type=notify READY)" "active/$(prop castor SubState) after $(( $(now) - mark )) s; STATUS: $(prop castor StatusText | cut -c1-70)"
else
  fail "start (Type=notify READY)" "$(prop castor ActiveState)/$(prop castor Result) status $(prop castor ExecMainStatus)"
  ct systemctl status castor --no-pager -n 30 | tail -30
fi
pid=$(prop castor MainPID)

watchdog=$(prop castor WatchdogUSec)
first=$(prop castor WatchdogTimestampMonotonic)
# castor pings every WatchdogSec/2 (15 s): a new timestamp within 20 s is a ping seen.
watchdog_moved() { [ "$(prop castor WatchdogTimestampMonotonic)" != "$first" ]; }
if [ "$watchdog" = 30s ] && wait_for 20 watchdog_moved; then
  pass "watchdog" "WatchdogUSec=$watchdog, WATCHDOG=1 received (timestamp moved)"
else
  fail "watchdog" "WatchdogUSec=$watchdog, timestamp $first -> $(prop castor WatchdogTimestampMonotonic)"
fi

out=$(ct castor status --config /etc/castor/castor.toml 2>&1); rc=$?
if [ $rc = 0 ]; then
  pass "castor status (as the README says)" "$(echo "$out" | head -1 | tr -s ' ')"
else
  fail "castor status (as the README says)" "exit $rc: $(echo "$out" | tail -1)"
fi
out=$(ct castor status --json --config /etc/castor/castor.toml 2>&1); rc=$?
if [ $rc = 0 ] && echo "$out" | grep -q '"phase"'; then
  pass "castor status --json" "$(echo "$out" | grep -o '"phase":"[a-z_]*"' | tail -1) (the daemon's; sorted keys put it last)"
else
  fail "castor status --json" "exit $rc: $(echo "$out" | tail -1)"
fi

mark=$(now)
sed -i 's/^shutdown_timeout = .*/shutdown_timeout = "15s"/' "$root/etc/castor/castor.toml"
if ct timeout 60 systemctl reload castor && [ "$(prop castor MainPID)" = "$pid" ] \
   && journal_since "$mark" | grep -q '"event":"reload.applied"'; then
  pass "reload, good file" "applied (reload.applied), same pid $pid"
else
  fail "reload, good file" "rc/outcome: $(journal_since "$mark" | grep -o '"event":"reload[.a-z_]*"' | tr '\n' ' ')"
fi

mark=$(now)
printf '[engine]\nshutdown_timeout = "9999s"\n' >"$root/etc/castor/castor.toml"
out=$(ct timeout 60 systemctl reload castor 2>&1); rc=$?
# (The file in place is the bad one: castor status is told the state directory instead.)
if [ $rc != 0 ] && [ "$(prop castor ActiveState)" = active ] && [ "$(prop castor MainPID)" = "$pid" ] \
   && ct env STATE_DIRECTORY=/var/lib/castor castor status >/dev/null 2>&1; then
  pass "reload, bad file fails" "systemctl reload exit $rc; still active, same pid; $(ct journalctl -u castor --since "@$mark" -p err -o cat --no-pager | head -1 | cut -c1-90)"
else
  fail "reload, bad file fails" "exit $rc, $(prop castor ActiveState), pid $(prop castor MainPID) (was $pid): $out"
fi
# SIGHUP skips ExecReload='s check: the daemon itself refuses the file and keeps running.
mark=$(now)
ct systemctl kill -s HUP castor
if wait_for 15 logged "$mark" reload.rejected \
   && [ "$(prop castor ActiveState)" = active ] && [ "$(prop castor MainPID)" = "$pid" ]; then
  pass "SIGHUP, bad file refused" "reload.rejected; still active, same pid"
else
  fail "SIGHUP, bad file refused" "$(journal_since "$mark" | grep -o '"event":"reload[.a-z_]*"' | tr '\n' ' '), $(prop castor ActiveState)"
fi
cp "$root/etc/castor/castor.toml.good" "$root/etc/castor/castor.toml"

mark=$(now)
ct systemctl kill -s USR1 castor
wait_for 15 logged "$mark" killswitch.engaged
ct systemctl kill -s USR1 castor
wait_for 15 logged "$mark" killswitch.already_engaged
engaged=$(journal_since "$mark" | grep -c '"event":"killswitch.engaged"')
again=$(journal_since "$mark" | grep -c '"event":"killswitch.already_engaged"')
status=$(ct castor status --config /etc/castor/castor.toml 2>&1 | grep -i -m1 "kill")
if [ "$engaged" = 1 ] && [ "$again" = 1 ] && [ "$(prop castor ActiveState)" = active ] && [ "$(prop castor MainPID)" = "$pid" ]; then
  pass "kill switch: USR1 twice" "engaged once, then already_engaged; still running; status: ${status:-?}"
else
  fail "kill switch: USR1 twice" "engaged=$engaged already_engaged=$again state=$(prop castor ActiveState)"
fi
# journald strips castor's <N> prefix into PRIORITY: the kill switch is <2> (critical).
crit=$(ct journalctl -u castor --since "@$mark" -p warning -o json --no-pager | grep '"killswitch.engaged' | head -1)
if echo "$crit" | grep -q '"PRIORITY":"2"' && ! echo "$crit" | grep -q '"MESSAGE":"<'; then
  pass "journal priority (-p warning)" "killswitch.engaged at PRIORITY=2, prefix stripped: $(ct journalctl -u castor --since "@$mark" -p crit --no-pager -o short | grep -m1 killswitch | cut -c1-80)"
else
  fail "journal priority (-p warning)" "no critical killswitch line under -p warning: ${crit:0:200}"
fi

score=$(ct systemd-analyze security castor --no-pager 2>&1 | grep "Overall exposure")
if [ -n "$score" ]; then pass "systemd-analyze security" "${score#→ }"; else fail "systemd-analyze security" "no score"; fi

# A crash is restarted (Restart=on-failure, RestartSec=5), and the new process gets the
# state directory's lock the dead one held.
ct systemctl kill -s KILL castor
restarted_once() { [ "$(prop castor NRestarts)" = 1 ] && [ "$(prop castor ActiveState)" = active ]; }
if wait_for 30 restarted_once; then
  pass "SIGKILL: restarted" "NRestarts=1, active again, pid $(prop castor MainPID) (was $pid)"
else
  fail "SIGKILL: restarted" "NRestarts=$(prop castor NRestarts), $(prop castor ActiveState)/$(prop castor SubState)"
fi

mark=$(now)
ct timeout 400 systemctl stop castor; took=$(( $(now) - mark ))
if [ "$(prop castor Result)" = success ] && [ "$(prop castor ExecMainStatus)" = 0 ] && [ "$took" -lt 330 ]; then
  pass "stop" "in $took s (TimeoutStopSec=$(prop castor TimeoutStopUSec)), Result=success, exit 0"
else
  fail "stop" "in $took s, Result=$(prop castor Result), exit $(prop castor ExecMainStatus)"
fi

mark=$(now)
printf '[engine]\nshutdown_timeout = "9999s"\n' >"$root/etc/castor/castor.toml"
ct timeout 60 systemctl start castor >/dev/null 2>&1; rc=$?
# RestartSec=5: a restart would have come by now if one were coming.
sleep 8
got="NRestarts=$(prop castor NRestarts) Result=$(prop castor Result) ExecMainStatus=$(prop castor ExecMainStatus) $(prop castor ActiveState)"
if [ $rc != 0 ] && [ "$got" = "NRestarts=0 Result=exit-code ExecMainStatus=78 failed" ]; then
  pass "bad config at start: 78, no loop" "$got"
else
  fail "bad config at start: 78, no loop" "start exit $rc; $got"
fi
cp "$root/etc/castor/castor.toml.good" "$root/etc/castor/castor.toml"
ct systemctl reset-failed castor

# --- castor@NAME ---------------------------------------------------------------------------
# Its configuration alone: systemd refuses the start, since LoadCredential= finds no key files.
mark=$(now)
cp "$root/etc/castor/castor.toml.good" "$root/etc/castor/sim.toml"
ct timeout 120 systemctl start castor@sim >/dev/null 2>&1; rc=$?
got="$(prop castor@sim Result), exit $(prop castor@sim ExecMainStatus)"
why=$(journal_since "$mark" castor@sim | grep -m1 -i "credential")
if [ $rc != 0 ] && [ "$got" = "exit-code, exit 243" ]; then
  pass "castor@sim without key files" "refused as documented: $got (CREDENTIALS): $why"
else
  fail "castor@sim without key files" "start exit $rc, $got: $why"
fi
ct systemctl reset-failed castor@sim
# What the operator is told to run: install.sh --instance NAME makes the empty key files.
"$repo/deploy/install.sh" --binary "$binary" --destdir "$root" --instance sim >>"$root.install.log" 2>&1
ct systemctl daemon-reload
ct timeout 120 systemctl start castor >/dev/null 2>&1
ct timeout 120 systemctl start castor@sim >/dev/null 2>&1; rc=$?
out=$(ct castor status --json --config /etc/castor/sim.toml 2>&1)
if [ $rc = 0 ] && [ "$(prop castor@sim ActiveState)" = active ] && [ "$(prop castor ActiveState)" = active ] \
   && echo "$out" | grep -q '"phase"'; then
  pass "castor@sim after install --instance" "active beside castor.service (state $(ct readlink -f /var/lib/castor-sim)); castor status --config /etc/castor/sim.toml answers"
else
  fail "castor@sim after install --instance" "start exit $rc, castor@sim $(prop castor@sim ActiveState), castor $(prop castor ActiveState); status: $(echo "$out" | tail -1 | cut -c1-120)"
fi
if ct timeout 60 systemctl reload castor@sim && ct castor status --config /etc/castor/castor.toml >/dev/null; then
  pass "castor@sim reload, both answer" "systemctl reload castor@sim; each castor status --config finds its own daemon"
else
  fail "castor@sim reload, both answer" "reload or castor status failed"
fi
ct systemctl stop castor@sim castor

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
