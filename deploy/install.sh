#!/usr/bin/env bash
# Install witnessverify as a service on a systemd host, from this checkout. Run as root:
#     deploy/install.sh            # do it
#     deploy/install.sh --dry-run  # print each step instead
# What it does, in order:
#   1. a system user `witnessverify` (no login shell, no home of its own to write to);
#   2. /opt/witnessverify: a copy of this checkout and its virtualenv, owned by root;
#   3. /var/lib/witnessverify (the history and the splits' saved bundles), owned by the user
#      (the units also ask systemd for it: StateDirectory=witnessverify);
#   4. write access for the user to node_exporter's textfile folder (an ACL when setfacl exists,
#      else group ownership), for spot-check --textfile;
#   5. the units into /etc/systemd/system, checked by systemd-analyze verify, and daemon-reload.
# Then edit the --rpc endpoints and --webhook in the units (or in a drop-in: systemctl edit) and
# enable one mode: systemctl enable --now witnessverify-watch   (or witnessverify-spot-check.timer)
set -euo pipefail

PREFIX=/opt/witnessverify
STATE=/var/lib/witnessverify
TEXTFILE_DIR=${TEXTFILE_DIR:-/var/lib/node_exporter/textfile_collector}
UNITS=/etc/systemd/system
SRC=$(cd "$(dirname "$0")/.." && pwd)
run=()
if [ "${1:-}" = "--dry-run" ]; then run=(echo); fi

step() { "${run[@]}" "$@"; }

if ! id witnessverify >/dev/null 2>&1 || [ ${#run[@]} -gt 0 ]; then
  step useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin witnessverify
fi
step install -d -m 0755 -o root -g root "$PREFIX"
step cp -a "$SRC/." "$PREFIX/"
step python3 -m venv "$PREFIX/.venv"
step "$PREFIX/.venv/bin/pip" install -q "$PREFIX"
step install -d -m 0750 -o witnessverify -g witnessverify "$STATE" "$STATE/splits"
step install -d -m 0755 "$TEXTFILE_DIR"
if command -v setfacl >/dev/null 2>&1; then
  step setfacl -m u:witnessverify:rwx "$TEXTFILE_DIR"
else
  step chgrp witnessverify "$TEXTFILE_DIR"
  step chmod g+rwx "$TEXTFILE_DIR"
fi
for unit in witnessverify-watch.service witnessverify-spot-check.service witnessverify-spot-check.timer; do
  step install -m 0644 "$SRC/deploy/$unit" "$UNITS/$unit"
done
step systemd-analyze verify "$UNITS/witnessverify-watch.service" "$UNITS/witnessverify-spot-check.service" \
  "$UNITS/witnessverify-spot-check.timer"
step systemctl daemon-reload
