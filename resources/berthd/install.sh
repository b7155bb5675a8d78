#!/bin/sh
# Installs, upgrades, checks or removes berthd from an unpacked Berth bundle, as root.
#
#   sh install.sh check
#   sh install.sh install   [--prefix DIR] [--data-root DIR] [--socket PATH] [--config FILE]
#                           [--service NAME] [--node PATH] [--no-systemd]
#   sh install.sh upgrade   [--prefix DIR]
#   sh install.sh uninstall [--prefix DIR] [--keep-data]
#   sh install.sh status    [--prefix DIR]
#
# Layout: DIR/versions/<version>/ holds each unpacked bundle, DIR/current points at the running one
# (swapped atomically on upgrade), DIR/install.env records the options install was given so that
# upgrade and uninstall act on the same socket, data root and service. With systemd running, berthd
# is a unit (KillMode=process, so containers outlive berthd restarts); without it, a small
# supervisor restarts berthd and keeps its pid in DIR/supervisor.pid.
# Every line that starts with "@@" is for the provisioner (src-main/provisioning) to parse.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
VERSION=$(cat "$here/VERSION" 2>/dev/null || echo none)
cmd="${1:-}"
[ $# -gt 0 ] && shift

PREFIX=/opt/berth
DATA_ROOT=/var/lib/berth
SOCKET=/run/berth/berthd.sock
CONFIG=/etc/berth/daemon.json
SERVICE=berthd
NODE=""
USE_SYSTEMD=auto
KEEP_DATA=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --data-root) DATA_ROOT="$2"; shift 2 ;;
    --socket) SOCKET="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --service) SERVICE="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    --no-systemd) USE_SYSTEMD=no; shift ;;
    --keep-data) KEEP_DATA=1; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

die() { echo "@@ERROR $*"; echo "install.sh: $*" >&2; exit 1; }
step() { echo "@@STEP $*"; }

case "$PREFIX$DATA_ROOT$SOCKET$CONFIG" in *[!A-Za-z0-9_./-]*) die "paths may only use letters, digits and _ . / -" ;; esac
case "$SERVICE" in *[!A-Za-z0-9_-]*) die "service names may only use letters, digits, _ and -" ;; esac

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Facts about this host, one "@@FACT key value" line each.
check() {
  echo "@@FACT kernel $(uname -r)"
  echo "@@FACT arch $(uname -m)"
  if grep -qw overlay /proc/filesystems 2>/dev/null || modprobe -q overlay 2>/dev/null && grep -qw overlay /proc/filesystems; then
    echo "@@FACT overlay yes"
  else
    echo "@@FACT overlay no"
  fi
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    echo "@@FACT cgroup 2"
    echo "@@FACT controllers $(tr ' ' ',' < /sys/fs/cgroup/cgroup.controllers)"
  elif [ -d /sys/fs/cgroup/memory ]; then
    echo "@@FACT cgroup 1"
    echo "@@FACT controllers $(awk '$4 == 1 { printf "%s%s", sep, $1; sep="," }' /proc/cgroups)"
  else
    echo "@@FACT cgroup none"
  fi
  n="${NODE:-$(command -v node || true)}"
  if [ -n "$n" ]; then echo "@@FACT node $n $("$n" --version 2>/dev/null || echo unknown)"; else echo "@@FACT node none"; fi
  if [ -d /run/systemd/system ]; then echo "@@FACT systemd yes"; else echo "@@FACT systemd no"; fi
  for pm in apt-get dnf yum apk zypper pacman; do
    if command -v "$pm" >/dev/null 2>&1; then echo "@@FACT pkg $pm"; break; fi
  done
  if [ -f "$PREFIX/install.env" ]; then echo "@@FACT installed $(readlink "$PREFIX/current" | sed 's|.*/||')"; else echo "@@FACT installed none"; fi
}

load_env() {
  [ -f "$PREFIX/install.env" ] || die "berthd is not installed under $PREFIX"
  # shellcheck disable=SC1091
  . "$PREFIX/install.env"
}

save_env() {
  tmp="$PREFIX/install.env.tmp.$$"
  {
    echo "DATA_ROOT=$DATA_ROOT"; echo "SOCKET=$SOCKET"; echo "CONFIG=$CONFIG"; echo "SERVICE=$SERVICE"
    echo "NODE=$NODE"; echo "MODE=$MODE"; echo "CREATED_GROUP=$CREATED_GROUP"; echo "CREATED_CONFIG=$CREATED_CONFIG"
  } > "$tmp"
  mv -f "$tmp" "$PREFIX/install.env"
}

unpack_version() {
  dest="$PREFIX/versions/$VERSION"
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  for item in VERSION bin dist native install.sh berthd.service.in; do cp -a "$here/$item" "$dest.tmp/"; done
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  # Atomic switch: a new link renamed over the old one.
  ln -s "versions/$VERSION" "$PREFIX/current.tmp.$$"
  mv -T "$PREFIX/current.tmp.$$" "$PREFIX/current"
}

has_group() { getent group berth >/dev/null 2>&1 || grep -q '^berth:' /etc/group 2>/dev/null; }

create_group() {
  groupadd -r berth 2>/dev/null && return 0
  addgroup -S berth 2>/dev/null && return 0
  # A minimal userland (a busybox guest) has neither tool: add the line the way they would.
  [ -w /etc/group ] || return 1
  gid=999
  while grep -q "^[^:]*:[^:]*:$gid:" /etc/group; do gid=$((gid - 1)); [ "$gid" -ge 100 ] || return 1; done
  cp /etc/group /etc/group.berth-tmp && echo "berth:x:$gid:" >> /etc/group.berth-tmp && mv -f /etc/group.berth-tmp /etc/group
}

delete_group() {
  groupdel berth 2>/dev/null && return 0
  delgroup berth 2>/dev/null && return 0
  grep -v '^berth:' /etc/group > /etc/group.berth-tmp && mv -f /etc/group.berth-tmp /etc/group
}

supervisor_pid() { cat "$PREFIX/supervisor.pid" 2>/dev/null || true; }

start_service() {
  if [ "$MODE" = systemd ]; then
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@SOCKET@|$SOCKET|g" -e "s|@DATA_ROOT@|$DATA_ROOT|g" -e "s|@CONFIG@|$CONFIG|g" -e "s|@NODE@|$NODE|g" \
      "$PREFIX/current/berthd.service.in" > "/etc/systemd/system/$SERVICE.service.tmp"
    mv -f "/etc/systemd/system/$SERVICE.service.tmp" "/etc/systemd/system/$SERVICE.service"
    systemctl daemon-reload
    systemctl enable --now "$SERVICE.service" >/dev/null 2>&1 || die "systemctl could not start $SERVICE (journalctl -u $SERVICE)"
  else
    # The supervisor re-reads DIR/current on every start, so an upgrade is: switch, then kill berthd.
    cat > "$PREFIX/supervise.sh" <<EOS
#!/bin/sh
trap 'kill -TERM \$child 2>/dev/null; wait \$child; exit 0' TERM INT
while :; do
  BERTH_NODE="$NODE" "$PREFIX/current/bin/berthd" --socket "$SOCKET" --data-root "$DATA_ROOT" --config "$CONFIG" &
  child=\$!
  echo \$child > "$PREFIX/berthd.pid"
  wait \$child
  sleep 1
done
EOS
    chmod 0755 "$PREFIX/supervise.sh"
    setsid sh "$PREFIX/supervise.sh" </dev/null >>"$PREFIX/berthd.log" 2>&1 &
    echo $! > "$PREFIX/supervisor.pid"
  fi
}

stop_service() {
  if [ "$MODE" = systemd ]; then
    systemctl disable --now "$SERVICE.service" >/dev/null 2>&1 || true
  else
    pid=$(supervisor_pid)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
    fi
    rm -f "$PREFIX/supervisor.pid" "$PREFIX/berthd.pid"
  fi
}

restart_berthd() {
  if [ "$MODE" = systemd ]; then
    systemctl restart "$SERVICE.service"
  else
    pid=$(cat "$PREFIX/berthd.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    # Wait for the supervisor to start the new one (a new pid in berthd.pid).
    i=0; while [ "$(cat "$PREFIX/berthd.pid" 2>/dev/null || true)" = "$pid" ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
  fi
}

# One HTTP GET on berthd's unix socket, with the node berthd runs on (no curl needed on the host).
api_get() {
  "$NODE" -e '
    const http = require("http");
    const req = http.request({ socketPath: process.argv[1], path: process.argv[2], timeout: 5000 }, (res) => {
      let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => { process.stdout.write(b); process.exit(res.statusCode === 200 ? 0 : 1); });
    });
    req.on("error", () => process.exit(1)); req.end();' "$SOCKET" "$1"
}

api_delete() {
  "$NODE" -e '
    const http = require("http");
    const req = http.request({ socketPath: process.argv[1], path: process.argv[2], method: "DELETE", timeout: 30000 }, (res) => { res.resume(); res.on("end", () => process.exit(0)); });
    req.on("error", () => process.exit(1)); req.end();' "$SOCKET" "$1"
}

wait_ready() {
  want="$1"
  i=0
  while [ $i -lt 300 ]; do
    if v=$(api_get /version 2>/dev/null); then
      case "$v" in *"\"BerthVersion\":\"$want\""*|*"\"Version\":\"$want\""*) echo "@@VERSION $v"; return 0 ;; esac
    fi
    sleep 0.2; i=$((i + 1))
  done
  die "berthd did not answer on $SOCKET with version $want (log: $([ "$MODE" = systemd ] && echo "journalctl -u $SERVICE" || echo "$PREFIX/berthd.log"))"
}

pick_node() {
  NODE="${NODE:-$(command -v node || true)}"
  [ -n "$NODE" ] || die "Node.js >= 20 is required and none was found (install it, or pass --node PATH)"
  NODE=$(readlink -f "$NODE")
  [ "$(node_major "$NODE")" -ge 20 ] || die "Node.js >= 20 is required; $NODE is $("$NODE" --version 2>/dev/null || echo unknown)"
}

case "$cmd" in
  check) check ;;
  install)
    [ "$(id -u)" -eq 0 ] || die "install must run as root (or through sudo)"
    [ ! -f "$PREFIX/install.env" ] || die "berthd is already installed under $PREFIX (use upgrade, or uninstall first)"
    pick_node
    if [ "$USE_SYSTEMD" = auto ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then MODE=systemd; else MODE=supervised; fi
    if [ "$MODE" = systemd ] && systemctl is-active --quiet "$SERVICE.service" 2>/dev/null; then die "a $SERVICE service is already running"; fi
    [ ! -S "$SOCKET" ] || ! api_get /_ping >/dev/null 2>&1 || die "an engine already answers on $SOCKET"
    step "unpacking berthd $VERSION into $PREFIX"
    mkdir -p "$PREFIX/versions"
    chmod 0755 "$PREFIX"
    unpack_version
    CREATED_GROUP=0
    if ! has_group; then
      step "creating the berth group"
      create_group || die "cannot create the berth group"
      CREATED_GROUP=1
    fi
    CREATED_CONFIG=0
    if [ ! -f "$CONFIG" ]; then
      mkdir -p "$(dirname "$CONFIG")"
      echo '{}' > "$CONFIG"
      CREATED_CONFIG=1
    fi
    save_env
    step "starting berthd ($MODE)"
    start_service
    wait_ready "$VERSION"
    echo "@@DONE installed $VERSION"
    ;;
  upgrade)
    [ "$(id -u)" -eq 0 ] || die "upgrade must run as root (or through sudo)"
    load_env
    old=$(readlink "$PREFIX/current" | sed 's|.*/||')
    step "upgrading berthd $old -> $VERSION (running containers are kept)"
    unpack_version
    if [ "$MODE" = systemd ]; then start_service; fi
    restart_berthd
    wait_ready "$VERSION"
    for d in "$PREFIX"/versions/*; do [ "$(basename "$d")" = "$VERSION" ] || rm -rf "$d"; done
    echo "@@DONE upgraded $old $VERSION"
    ;;
  uninstall)
    [ "$(id -u)" -eq 0 ] || die "uninstall must run as root (or through sudo)"
    load_env
    if [ "$KEEP_DATA" -eq 0 ] && ids=$(api_get '/containers/json?all=1' 2>/dev/null); then
      step "removing containers"
      for id in $(printf '%s' "$ids" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).map(c=>c.Id).join(" ")))'); do
        api_delete "/containers/$id?force=1&v=1" || true
      done
    fi
    step "stopping berthd"
    stop_service
    rm -f "/etc/systemd/system/$SERVICE.service"
    [ "$MODE" != systemd ] || systemctl daemon-reload || true
    rm -f "$SOCKET"
    rmdir "$(dirname "$SOCKET")" 2>/dev/null || true
    if [ "$KEEP_DATA" -eq 0 ]; then
      step "removing the data root $DATA_ROOT"
      rm -rf "$DATA_ROOT"
      [ "$CREATED_CONFIG" != 1 ] || { rm -f "$CONFIG"; rmdir "$(dirname "$CONFIG")" 2>/dev/null || true; }
    fi
    [ "$CREATED_GROUP" != 1 ] || delete_group || true
    rm -rf "$PREFIX"
    echo "@@DONE uninstalled"
    ;;
  status)
    load_env
    echo "@@FACT installed $(readlink "$PREFIX/current" | sed 's|.*/||')"
    echo "@@FACT mode $MODE"
    if v=$(api_get /version 2>/dev/null); then echo "@@VERSION $v"; else echo "@@FACT running no"; fi
    ;;
  *) echo "usage: sh install.sh check|install|upgrade|uninstall|status [options]" >&2; exit 2 ;;
esac
