#!/usr/bin/env bash
# The local mini-cluster: a real Slurm (munge, slurmctld, slurmd) and a real
# OpenSSH sshd on 127.0.0.1, with a non-root cluster user who logs in with a
# generated ed25519 key and submits the jobs, like an account on MeluXina.
#
#   minicluster.sh up DIR [--nodes 2]
#                               bring it up; state, logs and PIDs under DIR.
#                               --nodes 2 adds a second Slurm node made from a
#                               network namespace (see "second node" below)
#   minicluster.sh down DIR     stop exactly the processes `up` started, by PID,
#                               and remove DIR's state
#   minicluster.sh status DIR   print what runs; exit 1 if anything is down
#
# `up` writes DIR/profile.json (a FactoryBench connection profile: host, port,
# user, key, known_hosts, and "tools": the mini-cluster has neither Apptainer
# nor environment modules, so the editor drops templates as native services)
# and DIR/env.sh (SLURM_CONF etc. for local tools).
# Needs root (it starts sshd and slurmd and creates the cluster user).
#
# Environment: FB_CLUSTER_USER (default fbuser), FB_CLUSTER_PORT_BASE (default:
# a free range picked at random), FB_CLUSTER_CPUS (default 16: slots, not cores,
# so a service, its clients and a monitor fit on one laptop-sized node).
#
# Second node (--nodes 2): a slurmd in its own network namespace (ip netns,
# a veth pair on a free 10.x.y.z/30) and its own UTS namespace (its own
# hostname, so `hostname -s` in a job names the node it runs on), node name
# <host>n2<id>. slurmctld is then addressed by the veth's host side, which both
# slurmds reach. Names resolve from both sides: inside the namespace through
# /etc/netns/<ns>/hosts, bind-mounted over /etc/hosts in the second slurmd's
# private mount namespace, which every job it starts inherits (<host> -> the
# host side of the veth), on the
# host through one /etc/hosts line tagged "# fbmini:<DIR>;", which `down`
# removes again along with the namespace, the veth and /etc/netns/<ns>.
# The default stays one node on 127.0.0.1.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then sed -n "2,32p" "$0" >&2; exit 2; fi
nodes=1
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=${2:-}; shift 2 ;;
    *) echo "minicluster: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$nodes" in 1|2) ;; *) echo "minicluster: --nodes must be 1 or 2, got $nodes" >&2; exit 2 ;; esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
user=${FB_CLUSTER_USER:-fbuser}
host=$(hostname -s)

die() { echo "minicluster: $*" >&2; exit 1; }

# Free = no socket of any state uses it. Ports are picked below the kernel's
# ephemeral range (32768+), where load tests open thousands of client sockets.
port_free() { ! ss -Htan "sport = :$1" 2>/dev/null | grep -q .; }

pick_ports() {
  local base=${FB_CLUSTER_PORT_BASE:-}
  if [ -n "$base" ]; then echo "$base"; return; fi
  for _ in $(seq 50); do
    base=$(( (RANDOM % 1200) * 10 + 20000 ))
    if port_free "$base" && port_free $((base+1)) && port_free $((base+2)); then
      echo "$base"; return
    fi
  done
  die "no free ports found"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Starts a daemon in the foreground mode of its own, detached from our
# terminal, and records its PID: teardown kills exactly these PIDs.
start_daemon() {
  local name=$1; shift
  setsid "$@" >"$dir/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

wait_for() { # seconds description command...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "timed out after ${secs}s waiting for $what (logs in $dir/log)"
    sleep 0.2
  done
}

ensure_user() {
  if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$user" || die "cannot create user $user"
  fi
  # '*' (no password) rather than '!' (locked): sshd refuses locked accounts
  # even for key logins when PAM is off.
  usermod -p '*' "$user"
}

# The second node's network: namespace, veth pair, addresses, names. Every
# name it creates is written under $dir/net so `down` removes exactly those.
setup_netns() {
  if ! command -v ip >/dev/null || ! command -v unshare >/dev/null; then die "--nodes 2 needs ip (iproute2) and unshare"; fi
  local id="" b=0 net="" ns="" vh="" vn=""
  mkdir -p "$dir/net"
  for _ in $(seq 50); do
    id=$(printf '%04x' $((RANDOM % 65536)))
    b=$((RANDOM % 64 * 4))
    net="10.$((RANDOM % 200 + 20)).$((RANDOM % 256))"
    ns="fbmini-$id" vh="fbm${id}h" vn="fbm${id}n"
    if ! ip netns list | grep -qw "$ns" && ! ip link show "$vh" >/dev/null 2>&1 \
      && ! ip -4 addr | grep -q " $net\."; then
      break
    fi
  done
  echo "$ns" > "$dir/net/ns"
  echo "$vh" > "$dir/net/veth"
  echo "$net.$((b + 1))" > "$dir/net/host_addr"
  echo "$net.$((b + 2))" > "$dir/net/node2_addr"
  echo "${host}n2$id" > "$dir/net/node2"
  ip netns add "$ns" || die "ip netns add $ns failed"
  ip link add "$vh" type veth peer name "$vn" || die "cannot create veth $vh"
  ip link set "$vn" netns "$ns"
  ip addr add "$net.$((b + 1))/30" dev "$vh"
  ip link set "$vh" up
  ip netns exec "$ns" ip addr add "$net.$((b + 2))/30" dev "$vn"
  ip netns exec "$ns" ip link set "$vn" up
  ip netns exec "$ns" ip link set lo up
  mkdir -p "/etc/netns/$ns"
  printf '127.0.0.1 localhost\n%s %s\n%s %s\n' "$net.$((b + 1))" "$host" "$net.$((b + 2))" "${host}n2$id" > "/etc/netns/$ns/hosts"
  # /etc/hosts may be a bind mount (containers): append and rewrite in place, never rename.
  printf '%s %s # fbmini:%s;\n' "$net.$((b + 2))" "${host}n2$id" "$dir" >> /etc/hosts
}

teardown_netns() {
  [ -d "$dir/net" ] || return 0
  local ns vh rest
  ns=$(cat "$dir/net/ns" 2>/dev/null || true)
  vh=$(cat "$dir/net/veth" 2>/dev/null || true)
  if [ -n "$ns" ]; then
    ip netns del "$ns" 2>/dev/null || true   # takes the namespace's end of the veth along
    rm -rf "/etc/netns/$ns"
    rmdir /etc/netns 2>/dev/null || true   # only when no other namespace uses it
  fi
  if [ -n "$vh" ]; then ip link del "$vh" 2>/dev/null || true; fi
  if grep -qF "# fbmini:$dir;" /etc/hosts; then
    rest=$(grep -vF "# fbmini:$dir;" /etc/hosts || true)
    printf '%s\n' "$rest" > /etc/hosts
  fi
  rm -rf "$dir/net"
}

up() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (starts sshd and slurmd, creates user $user)"
  for b in munged slurmctld slurmd sshd; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || die "$b not installed: run scripts/setup-debian.sh"
  done
  if [ -f "$dir/pids/sshd.pid" ] && pid_alive "$dir/pids/sshd.pid"; then
    die "already up in $dir (run: $0 down $dir)"
  fi
  rm -rf "$dir"/{munge,slurm,ssh,log,pids}
  mkdir -p "$dir"/{munge,slurm/state,slurm/spool,ssh,log,pids}
  chmod 755 "$dir" "$dir/slurm" "$dir/ssh"
  chmod 700 "$dir/munge"  # munged insists on private key and socket dirs…
  ensure_user
  # sshd reads authorized_keys, and jobs read slurm.conf and the munge socket,
  # as $user: every folder above $dir must let $user through (a dir below a
  # private home such as /root does not).
  if ! runuser -u "$user" -- test -x "$dir/slurm"; then
    die "$user cannot reach $dir (a parent folder is private); pick a folder such as /var/tmp/..."
  fi
  local home; home=$(getent passwd "$user" | cut -d: -f6)
  local base; base=$(pick_ports)
  local ssh_port=$base ctld_port=$((base+1)) slurmd_port=$((base+2))

  # --- munge ---------------------------------------------------------------
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  mkdir -p "$dir/munge/run" && chmod 755 "$dir/munge/run"
  start_daemon munged /usr/sbin/munged --foreground --force \
    --socket="$dir/munge/run/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed"
  chmod 711 "$dir/munge"  # …while users need to reach the socket below it
  wait_for 15 "munged" test -S "$dir/munge/run/munge.socket"

  # --- slurm ---------------------------------------------------------------
  local mem_mb; mem_mb=$(awk '/MemTotal/ {printf "%d", $2/1024*0.8}' /proc/meminfo)
  local cpus=${FB_CLUSTER_CPUS:-16}
  local ctld_addr=127.0.0.1 node_lines="" part_nodes=$host spool=$dir/slurm/spool slurmd_pid=$dir/slurm/slurmd.pid
  local slurmd_log=$dir/log/slurmd.log node2="" node1_features=""
  if [ "$nodes" = 2 ]; then
    setup_netns
    node2=$(cat "$dir/net/node2")
    ctld_addr=$(cat "$dir/net/host_addr")
    # Features n1 and n2 let a recipe place a job (resources.constraint: n2).
    node1_features=" Features=n1"
    node_lines="NodeName=$node2 NodeHostname=$node2 NodeAddr=$(cat "$dir/net/node2_addr") CPUs=$cpus RealMemory=$mem_mb Features=n2 State=UNKNOWN"
    part_nodes="$host,$node2"
    # Two slurmds on one machine: each its own spool, PID and log file (%n = node name).
    spool=$dir/slurm/spool/%n slurmd_pid=$dir/slurm/slurmd-%n.pid slurmd_log=$dir/log/slurmd-%n.log
    mkdir -p "$dir/slurm/spool/$host" "$dir/slurm/spool/$node2"
  fi
  cat > "$dir/slurm/slurm.conf" <<CONF
# Generated by tests/cluster/minicluster.sh — a one-node Slurm on 127.0.0.1 (two nodes with --nodes 2).
ClusterName=fbmini
SlurmctldHost=$host($ctld_addr)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/run/munge.socket
StateSaveLocation=$dir/slurm/state
SlurmdSpoolDir=$spool
SlurmctldPidFile=$dir/slurm/slurmctld.pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$slurmd_log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
SchedulerType=sched/backfill
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/slurm/jobcomp.log
MailProg=/bin/true
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
GresTypes=gpu
NodeName=$host NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:4$node1_features State=UNKNOWN
$node_lines
PartitionName=cpu Nodes=$part_nodes Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
PartitionName=gpu Nodes=$host MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  # Four GPUs by count only (no device files): recipes asking for --gres=gpu:N
  # are scheduled as on a MeluXina GPU node; nothing here uses a GPU.
  mkdir -p "$dir/slurm/dev"
  for i in 0 1 2 3; do  # character devices like /dev/null stand in for /dev/nvidiaN
    mknod "$dir/slurm/dev/gpu$i" c 1 3 2>/dev/null || touch "$dir/slurm/dev/gpu$i"
  done
  printf 'AutoDetect=off\nNodeName=%s Name=gpu File=%s/slurm/dev/gpu[0-3]\n' "$host" "$dir" > "$dir/slurm/gres.conf"
  chmod 644 "$dir/slurm/slurm.conf" "$dir/slurm/gres.conf"
  export SLURM_CONF="$dir/slurm/slurm.conf"
  start_daemon slurmctld /usr/sbin/slurmctld -D -i -f "$SLURM_CONF"
  start_daemon slurmd /usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$host"
  if [ -n "$node2" ]; then
    # nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup
    # mounts slurmd needs. A private mount namespace gives slurmd and its jobs
    # the node's own /etc/hosts; nsenter, unshare and sh all exec, so the
    # recorded PID is slurmd's.
    local ns; ns=$(cat "$dir/net/ns")
    # shellcheck disable=SC2016 # $1…$3 expand in the inner shell
    start_daemon slurmd2 nsenter --net="/run/netns/$ns" unshare --mount --uts \
      sh -c 'mount --bind "$3" /etc/hosts && hostname "$1" && exec /usr/sbin/slurmd -D -f "$2" -N "$1"' \
      slurmd2 "$node2" "$SLURM_CONF" "/etc/netns/$ns/hosts"
  fi

  # --- sshd ----------------------------------------------------------------
  mkdir -p /run/sshd && chmod 755 /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C "fbmini-host" -f "$dir/ssh/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C "$user@fbmini" -f "$dir/ssh/id_ed25519"
  mkdir -p "$dir/ssh/authorized_keys"
  chmod 755 "$dir/ssh/authorized_keys"
  cp "$dir/ssh/id_ed25519.pub" "$dir/ssh/authorized_keys/$user"
  chmod 644 "$dir/ssh/authorized_keys/$user"
  cat > "$dir/ssh/sshd_config" <<CONF
# Generated by tests/cluster/minicluster.sh — the mini-cluster's login node.
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $dir/ssh/ssh_host_ed25519_key
PidFile $dir/ssh/sshd.pid
AuthorizedKeysFile $dir/ssh/authorized_keys/%u
AllowUsers $user
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The state folder may sit below /tmp (world-writable), which StrictModes
# refuses; the key files themselves are root-owned and not writable by users.
StrictModes no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
SetEnv SLURM_CONF=$dir/slurm/slurm.conf
CONF
  /usr/sbin/sshd -t -f "$dir/ssh/sshd_config" || die "sshd rejects its generated config"
  start_daemon sshd /usr/sbin/sshd -D -e -f "$dir/ssh/sshd_config"

  printf '[127.0.0.1]:%s %s\n' "$ssh_port" "$(cut -d' ' -f1,2 "$dir/ssh/ssh_host_ed25519_key.pub")" > "$dir/ssh/known_hosts"
  cat > "$dir/profile.json" <<JSON
{
  "name": "mini-cluster",
  "description": "Local mini-cluster (tests/cluster/minicluster.sh): Slurm partitions cpu and gpu on 127.0.0.1",
  "host": "127.0.0.1",
  "port": $ssh_port,
  "user": "$user",
  "identityFile": "$dir/ssh/id_ed25519",
  "identitiesOnly": true,
  "useAgent": false,
  "keepaliveSeconds": 5,
  "knownHostsFile": "$dir/ssh/known_hosts",
  "remoteWorkDir": "$home/factorybench",
  "buildPrelude": "",
  "tools": {"apptainer": false, "modules": false}
}
JSON
  cat > "$dir/env.sh" <<ENV
export SLURM_CONF=$dir/slurm/slurm.conf
export FB_CLUSTER_DIR=$dir
export FB_CLUSTER_USER=$user
export FB_CLUSTER_SSH_PORT=$ssh_port
export FB_CLUSTER_HOST=$host
ENV

  wait_for 15 "sshd on 127.0.0.1:$ssh_port" bash -c "ss -Htln 'sport = :$ssh_port' | grep -q ."
  wait_for 30 "slurmctld" scontrol ping
  wait_for 30 "node $host to be idle" bash -c "sinfo -h -n '$host' -o %T | grep -qE '^(idle|mixed|allocated)'"
  if [ -n "$node2" ]; then
    wait_for 30 "node $node2 to be idle" bash -c "sinfo -h -n '$node2' -o %T | grep -qE '^(idle|mixed|allocated)'"
    echo "export FB_CLUSTER_NODES='$host $node2'" >> "$dir/env.sh"
  fi
  echo "minicluster: up in $dir — ssh -i $dir/ssh/id_ed25519 -p $ssh_port -o UserKnownHostsFile=$dir/ssh/known_hosts $user@127.0.0.1"
}

stop_pid() { # name
  local f="$dir/pids/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  if [ -f "$dir/slurm/slurm.conf" ] && pid_alive "$dir/pids/slurmctld.pid"; then
    # Jobs are the cluster's own processes: cancel them so slurmd reaps them.
    SLURM_CONF="$dir/slurm/slurm.conf" scancel --full --quiet --user="$user" 2>/dev/null || true
    for _ in $(seq 30); do
      [ -z "$(SLURM_CONF="$dir/slurm/slurm.conf" squeue -h -t R,CG -u "$user" 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for d in sshd slurmd slurmd2 slurmctld munged; do stop_pid "$d"; done
  teardown_netns
  rm -rf "$dir"/{munge,slurm,ssh,pids} "$dir/profile.json" "$dir/env.sh"
  echo "minicluster: down ($dir)"
}

status() {
  local rc=0
  local daemons="munged slurmctld slurmd sshd"
  if [ -f "$dir/net/ns" ]; then daemons="$daemons slurmd2"; fi
  for d in $daemons; do
    if pid_alive "$dir/pids/$d.pid"; then echo "$d: running (pid $(cat "$dir/pids/$d.pid"))"
    else echo "$d: not running"; rc=1; fi
  done
  return $rc
}

case "$cmd" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "unknown command $cmd (up, down, status)" ;;
esac
