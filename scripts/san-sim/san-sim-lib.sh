# Shared by the SAN simulator commands. The simulated array keeps its state in $SAN_SIM_STATE:
#   luns/<wwid>/size              array size in bytes
#   luns/<wwid>/product           "VENDOR,PRODUCT" (optional)
#   luns/<wwid>/hosts/<host>      how <host> sees the LUN: up | down (all paths failed) | nomap (paths, no map) | pending (not scanned yet)
#   luns/<wwid>/pathsize/<host>   size the host's SCSI paths report (default: size)
#   luns/<wwid>/mapsize/<host>    size of the host's multipath map (default: pathsize)
#   luns/<wwid>/keys/<host>       the reservation key <host> registered (one I_T nexus per host)
#   luns/<wwid>/reservation       "<key> <type>" while a persistent reservation is held
#   luns/<wwid>/generation        PR generation counter
#   luns/<wwid>/pfs               PFS chunk count (10 GiB each) once formatted
#   luns/<wwid>/delay             seconds the reservation commands stall (timeout tests)
#   log                           one line per call of any simulator command, in call order:
#                                 "<epoch seconds.microseconds> <host> <command> <args, shell-quoted>"
# $SAN_SIM_HOST names the calling host; each simulated host's sshd sets it.
set -euo pipefail
umask 000
: "${SAN_SIM_STATE:?SAN_SIM_STATE is not set}"
: "${SAN_SIM_HOST:?SAN_SIM_HOST is not set}"
LUNS=$SAN_SIM_STATE/luns
H=$SAN_SIM_HOST
mkdir -p "$LUNS"

with_lock() { exec 9>>"$SAN_SIM_STATE/lock"; flock 9; }

# Appends this call to the log. The log file is its own lock (not the array's, which the caller may hold later), the
# time is taken once the lock is held, so lines of concurrent calls never mix and their order is the order of times.
# A log that cannot be written never fails the command.
san_log() {
  local call
  call="$H ${0##*/}$(printf ' %q' "$@")"
  { flock 8 && printf '%s %s\n' "$EPOCHREALTIME" "$call" >&8; } 8>>"$SAN_SIM_STATE/log" 2>/dev/null || true
}

# LUNs in a stable order; the position gives dm and sd numbers.
lun_list() { find "$LUNS" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort; }
lun_index() { lun_list | grep -nxF -- "$1" | cut -d: -f1; }
host_state() { cat "$LUNS/$1/hosts/$H" 2>/dev/null || echo none; }
has_map() { case $(host_state "$1") in up|down) return 0;; *) return 1;; esac; }
path_size() { cat "$LUNS/$1/pathsize/$H" 2>/dev/null || cat "$LUNS/$1/size"; }
map_size() { cat "$LUNS/$1/mapsize/$H" 2>/dev/null || path_size "$1"; }

sd_name() {  # sd_name <n>: 0 -> sda, 25 -> sdz, 26 -> sdaa
  local n=$1 s=""
  while :; do s=$(printf "\\$(printf '%03o' $((97 + n % 26)))")$s; n=$((n / 26 - 1)); [ $n -ge 0 ] || break; done
  echo "sd$s"
}

# multipath's size style: 1024-based units from K, one decimal below 10.
human_size() { awk -v b="$1" 'BEGIN { s = b / 1024; split("K M G T P", u, " "); i = 1
  while (s >= 1024 && i < 5) { s /= 1024; i++ } if (s < 10) printf "%.1f%s\n", s, u[i]; else printf "%.0f%s\n", s, u[i] }'; }

# device_wwid </dev/mapper/NAME>: the WWID behind a map this host has, or exit like the real tools do.
device_wwid() {
  local dev=$1 w=${1#/dev/mapper/}
  if [ "$w" = "$dev" ] || [ ! -d "$LUNS/$w" ] || ! has_map "$w"; then
    echo "$2: cannot open $dev: No such file or directory" >&2; exit 1
  fi
  echo "$w"
}

san_log "$@"
