#!/usr/bin/env bash
# Simulated sg3-utils rescan-scsi-bus.sh: -a finds LUNs newly mapped to this host (multipathd then builds
# their maps, as udev does on a real host); -s picks up LUNs grown on the array.
. "$(dirname "$0")/san-sim-lib.sh"
with_lock
for opt in "$@"; do
  for w in $(lun_list); do
    case $opt in
      -a) [ "$(host_state "$w")" = pending ] && echo up > "$LUNS/$w/hosts/$H" ;;
      -s) if [ "$(host_state "$w")" != none ]; then mkdir -p "$LUNS/$w/pathsize"; cat "$LUNS/$w/size" > "$LUNS/$w/pathsize/$H"; fi ;;
      *) echo "rescan-scsi-bus.sh (simulated): unsupported option $opt" >&2; exit 1 ;;
    esac
  done
done
echo "0 new or changed device(s) found."
