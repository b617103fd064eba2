#!/usr/bin/env bash
# Checks deploy/install.sh into a temporary DESTDIR: files and modes, that a second run
# succeeds, that an edited configuration survives it, and --instance NAME. Needs a built
# castor binary:
#   swift build --product castor && deploy/test-install.sh .build/debug/castor
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/debug/castor}")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$repo/deploy/install.sh" --binary "$binary" --destdir "$root" >/dev/null
[ -x "$root/usr/local/bin/castor" ] || fail "binary not installed"
[ -L "$root/usr/local/bin/castor" ] || fail "/usr/local/bin/castor is not the link to lib/castor/castor"
[ -f "$root/usr/local/lib/castor/libswiftCore.so" ] || fail "the Swift runtime was not installed next to the binary"
[ -x "$root/usr/local/lib/castor/castor-sim" ] || fail "castor-sim not installed next to castor"
[ -L "$root/usr/local/bin/castor-sim" ] || fail "/usr/local/bin/castor-sim is not the link to lib/castor/castor-sim"
# castor sim runs the castor-sim next to the real binary (through the /usr/local/bin link).
out=$("$root/usr/local/bin/castor" sim --help 2>&1) || fail "castor sim --help failed: $out"
echo "$out" | grep -q 'exchange simulator' || fail "castor sim --help does not show the simulator's options: $out"
out=$("$root/usr/local/bin/castor" sim --config /nonexistent/sim.json 2>&1 || true)
echo "$out" | grep -q 'Usage: castor-sim' || fail "castor sim does not run the installed castor-sim: $out"
# No toolchain on the trading host: with /opt/swift hidden (a private mount namespace), the
# installed binary still starts, from the libraries next to it.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ -d /opt/swift ]; then
  out=$(unshare -m sh -c "mount -t tmpfs none /opt/swift && '$root/usr/local/bin/castor' --version && '$root/usr/local/bin/castor' check-config '$repo/examples/castor.toml' && '$root/usr/local/bin/castor-sim' --help >/dev/null" 2>&1) \
    || fail "the installed castor does not run without /opt/swift: $out"
  echo "$out" | grep -q '^castor ' || fail "castor --version without /opt/swift printed: $out"
  echo "deploy/install.sh: runs without the Swift toolchain (/opt/swift hidden)"
fi
[ -f "$root/etc/systemd/system/castor.service" ] || fail "castor.service not installed"
[ -f "$root/etc/systemd/system/castor@.service" ] || fail "castor@.service not installed"
[ "$(stat -c %a "$root/etc/castor/credentials")" = 700 ] || fail "credentials directory is not 0700"
for f in castor-api-key castor-api-secret; do
  [ -f "$root/etc/castor/credentials/$f" ] && [ ! -s "$root/etc/castor/credentials/$f" ] || fail "no empty placeholder $f"
  [ "$(stat -c %a "$root/etc/castor/credentials/$f")" = 600 ] || fail "placeholder $f is not 0600"
done
cmp -s "$repo/examples/castor.toml" "$root/etc/castor/castor.toml" || fail "example config not installed"
cmp -s "$repo/deploy/man/castor.1" "$root/usr/local/share/man/man1/castor.1" || fail "manual page not installed"
grep -q 'castor' "$root/usr/local/share/bash-completion/completions/castor" || fail "bash completion not installed"
grep -q 'kill-switch' "$root/usr/local/share/zsh/site-functions/_castor" || fail "zsh completion does not know the subcommands"
grep -q 'castor' "$root/usr/local/share/fish/vendor_completions.d/castor.fish" || fail "fish completion not installed"

echo '# edited by the operator' >> "$root/etc/castor/castor.toml"
chmod 0755 "$root/etc/castor/credentials"
DESTDIR="$root" "$repo/deploy/install.sh" --binary "$binary" >/dev/null || fail "second run failed"
grep -q 'edited by the operator' "$root/etc/castor/castor.toml" || fail "second run overwrote the configuration"
[ "$(stat -c %a "$root/etc/castor/credentials")" = 700 ] || fail "second run did not restore 0700"
"$root/usr/local/bin/castor" check-config "$root/etc/castor/castor.toml" >/dev/null || fail "installed config does not validate"

# castor@NAME: systemd refuses to start an instance whose key files are missing, so
# --instance makes them (empty, for the simulator) beside the instance's configuration.
"$repo/deploy/install.sh" --binary "$binary" --destdir "$root" --instance paper1 >/dev/null || fail "--instance paper1 failed"
cmp -s "$repo/examples/castor.toml" "$root/etc/castor/paper1.toml" || fail "--instance did not install paper1.toml"
grep -q 'edited by the operator' "$root/etc/castor/castor.toml" || fail "--instance overwrote castor.toml"
[ "$(stat -c %a "$root/etc/castor/credentials/paper1")" = 700 ] || fail "instance credentials directory is not 0700"
for f in castor-api-key castor-api-secret; do
  [ -f "$root/etc/castor/credentials/paper1/$f" ] && [ ! -s "$root/etc/castor/credentials/paper1/$f" ] || fail "no empty instance placeholder $f"
  [ "$(stat -c %a "$root/etc/castor/credentials/paper1/$f")" = 600 ] || fail "instance placeholder $f is not 0600"
done
if "$repo/deploy/install.sh" --binary "$binary" --destdir "$root" --instance ../escape >/dev/null 2>&1; then
  fail "--instance accepted a name with a slash"
fi
echo "deploy/install.sh: OK"
