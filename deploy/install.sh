#!/usr/bin/env bash
# Installs Castor as a systemd service. Safe to run again: it replaces the binary and the
# unit files, but never overwrites an existing /etc/castor/castor.toml or any credential.
#
#   deploy/install.sh [--binary PATH] [--destdir DIR] [--instance NAME]...
#
#   --binary PATH    castor executable to install (default: .build/release/castor, built
#                    with `swift build -c release` if missing); the castor-sim next to it
#                    (the simulator, which `castor sim` and the embedded venue run) is
#                    installed beside it
#   --destdir DIR    install under DIR instead of / (packaging and tests; DESTDIR= works too);
#                    systemctl is not called then
#   --instance NAME  also prepares castor@NAME: /etc/castor/NAME.toml (the example, simulator
#                    venue, unless it exists) and its empty key files in
#                    /etc/castor/credentials/NAME/, without which castor@NAME cannot start
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
destdir="${DESTDIR:-}"
binary=""
instances=()

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --destdir|--prefix) destdir="${2:?--destdir needs a directory}"; shift 2 ;;
    --instance)
      # The name becomes a file name and a unit instance: no slashes, no systemd escapes.
      [[ "${2:-}" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || { echo "install.sh: --instance needs a name of letters, digits, _ . -" >&2; exit 2; }
      instances+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
destdir="${destdir%/}"

if [ -z "$destdir" ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: installing into / needs root: run it with sudo (or use --destdir DIR)" >&2
  exit 1
fi

if [ -z "$binary" ]; then
  binary="$repo/.build/release/castor"
  if [ ! -x "$binary" ] || [ ! -x "$repo/.build/release/castor-sim" ]; then
    echo "==> building release binaries (swift build -c release)"
    (cd "$repo" && swift build -c release --product castor && swift build -c release --product castor-sim)
  fi
fi
if [ ! -x "$binary" ]; then
  echo "install.sh: $binary is not an executable file" >&2
  exit 1
fi
# The simulator is its own executable (the daemon's binary carries none of it): castor sim
# and castor run's embedded venue (venue "sim", the example configuration) run the
# castor-sim in castor's own directory.
sim_binary="$(dirname "$binary")/castor-sim"
if [ ! -x "$sim_binary" ]; then
  echo "install.sh: $sim_binary is missing: castor-sim must sit next to $binary (swift build -c release --product castor-sim)" >&2
  exit 1
fi

bin_dir="$destdir/usr/local/bin"
lib_dir="$destdir/usr/local/lib/castor"
unit_dir="$destdir/etc/systemd/system"
etc_dir="$destdir/etc/castor"
cred_dir="$etc_dir/credentials"

echo "==> installing $binary to $lib_dir/castor (linked from $bin_dir/castor)"
install -d -m 0755 "$bin_dir" "$lib_dir" "$unit_dir"
# The Swift runtime libraries the binary uses go next to it: its RUNPATH ends in $ORIGIN
# (the real binary's directory), so the trading host needs no Swift toolchain. A plug-in's
# own reference to them is satisfied by the copies already loaded (same soname).
runtime=$( { ldd "$binary"; ldd "$sim_binary"; } | awk '$3 ~ /\/swift\/linux\// {print $3}' | sort -u)
for exe in "$binary" "$sim_binary"; do
  if ldd "$exe" | grep -q "not found"; then
    echo "install.sh: $exe needs libraries that are not found:" >&2
    ldd "$exe" | grep "not found" >&2
    exit 1
  fi
done
for lib in $runtime; do
  install -m 0644 "$lib" "$lib_dir/.$(basename "$lib").new"
  mv -f "$lib_dir/.$(basename "$lib").new" "$lib_dir/$(basename "$lib")"
done
echo "==> $(echo "$runtime" | grep -c . || true) Swift runtime libraries in $lib_dir ($(du -sh "$lib_dir" | cut -f1) with the binary)"
# Install to a temporary name and rename: a running castor keeps its old inode.
install -m 0755 "$binary" "$lib_dir/.castor.new"
mv -f "$lib_dir/.castor.new" "$lib_dir/castor"
ln -sfn ../lib/castor/castor "$bin_dir/.castor.link"
mv -Tf "$bin_dir/.castor.link" "$bin_dir/castor"
echo "==> installing $sim_binary to $lib_dir/castor-sim (linked from $bin_dir/castor-sim)"
install -m 0755 "$sim_binary" "$lib_dir/.castor-sim.new"
mv -f "$lib_dir/.castor-sim.new" "$lib_dir/castor-sim"
ln -sfn ../lib/castor/castor-sim "$bin_dir/.castor-sim.link"
mv -Tf "$bin_dir/.castor-sim.link" "$bin_dir/castor-sim"

# The manual page (generated from the commands' own help by ArgumentParser's
# generate-manual, committed: Scripts/generate-man.sh) and shell completions, written by
# the installed binary itself (ArgumentParser's --generate-completion-script).
share="$destdir/usr/local/share"
install -d -m 0755 "$share/man/man1" "$share/bash-completion/completions" "$share/zsh/site-functions" \
  "$share/fish/vendor_completions.d"
install -m 0644 "$repo/deploy/man/castor.1" "$share/man/man1/castor.1"
"$lib_dir/castor" --generate-completion-script bash > "$share/bash-completion/completions/castor"
"$lib_dir/castor" --generate-completion-script zsh > "$share/zsh/site-functions/_castor"
"$lib_dir/castor" --generate-completion-script fish > "$share/fish/vendor_completions.d/castor.fish"
echo "==> manual page and bash/zsh/fish completions in $share"

echo "==> installing units to $unit_dir"
install -m 0644 "$repo/systemd/castor.service" "$repo/systemd/castor@.service" "$unit_dir/"

install -d -m 0755 "$etc_dir"
# A configuration (the example, simulator venue, unless one exists) and its two key files.
prepare() {
  local config="$1" keys="$2"
  if [ -e "$config" ]; then
    echo "==> keeping existing $config"
  else
    echo "==> installing example configuration to $config (simulator venue)"
    install -m 0644 "$repo/examples/castor.toml" "$config"
  fi
  # Only root (systemd's LoadCredential=) reads the keys; 0700 even if it already existed.
  install -d -m 0700 "$keys"
  chmod 0700 "$keys"
  for f in "$keys"/castor-api-key "$keys"/castor-api-secret; do
    # Empty placeholders (castor reads two empty files as "no credentials"): systemd 252's
    # LoadCredential= refuses to start the unit when a file is missing, even on the
    # simulator, and an empty SetCredential= fallback does not help (it sets nothing, and
    # the start fails with "Protocol error").
    if [ ! -e "$f" ]; then
      install -m 0600 /dev/null "$f"
      echo "==> created empty $f (fill it, chmod 600, for a real venue)"
    fi
    if [ -e "$f" ] && [ "$(( 0$(stat -c %a "$f") & 077 ))" != 0 ]; then
      echo "==> WARNING: $f is readable by group/others: run chmod 600 $f" >&2
    fi
  done
  if ! "$bin_dir/castor" check-config "$config" >/dev/null; then
    echo "==> WARNING: $config does not validate (errors above); fix it before starting" >&2
  fi
}
prepare "$etc_dir/castor.toml" "$cred_dir"
for name in "${instances[@]}"; do
  prepare "$etc_dir/$name.toml" "$cred_dir/$name"
done

if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi

cat <<NEXT

Castor is installed. Next steps:
  1. Edit /etc/castor/castor.toml (venue, strategy, risk limits); check it with
       castor check-config /etc/castor/castor.toml
  2. For sandbox/production, put the API key name and secret in (no other content):
       /etc/castor/credentials/castor-api-key
       /etc/castor/credentials/castor-api-secret
     and make them private:  chmod 600 /etc/castor/credentials/castor-api-*
     (on the simulator venue leave them empty: systemd needs the files to exist)
  3. Start it and follow the log:
       systemctl enable --now castor
       journalctl -u castor -f
  Several configurations: deploy/install.sh --instance NAME makes /etc/castor/NAME.toml
  and empty key files in /etc/castor/credentials/NAME/ (fill them as in 2; one key per
  instance), then systemctl enable --now castor@NAME.
NEXT
