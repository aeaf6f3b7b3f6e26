#!/bin/sh
# Stand-in for `lifeboat auto` while the real command is not in build/lifeboat:
# the boot tests build their media with iso/build.sh --wrap this script, so it
# becomes /bin/lifeboat and the real binary /bin/lifeboat.bin. It takes the
# `lifeboat auto` arguments /init passes, runs `lifeboat fix --device` on the
# first disk holding Windows, writes REPORTS/<name>-<time>.json and .txt, PUTs
# the JSON to lifeboat.report= (busybox nc) and exits with fix's status.
# Every other command goes to the real binary.
[ "$1" = auto ] || exec /bin/lifeboat.bin "$@"
shift
mdir="" keys="" srcs="" reports=/run/lifeboat/reports cmdline=/proc/cmdline
while [ $# -gt 0 ]; do
  case $1 in
    --manifest-dir) [ -n "$mdir" ] || mdir=$2; shift 2 ;;
    --keys-dir) keys="$keys --keys-dir $2"; shift 2 ;;
    --source) srcs="$srcs --source $2"; shift 2 ;;
    --reports) reports=$2; shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    *) shift ;;
  esac
done
dev=""
for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/vdb /dev/sdb; do
  [ -b "$d" ] || continue
  if /bin/lifeboat.bin detect --device "$d" 2>/dev/null | grep -q Windows; then dev=$d; break; fi
done
[ -n "$dev" ] || { echo "lifeboat auto (stub): no Windows found"; exit 8; }
name=stub-$(date +%Y%m%d-%H%M%S)
mkdir -p "$reports"
/bin/lifeboat.bin fix --device "$dev" --manifest-dir "$mdir" $keys $srcs --yes --json "$reports/$name.json" \
  >"$reports/$name.txt" 2>&1
code=$?
cat "$reports/$name.txt"
url=""
for a in $(cat "$cmdline"); do case $a in lifeboat.report=*) url=${a#*=} ;; esac; done
if [ -n "$url" ]; then
  hp=${url#http://}; path=/${hp#*/}; hp=${hp%%/*}
  host=${hp%%:*}; port=80; [ "$hp" != "$host" ] && port=${hp#*:}
  case $path in */) path=$path$name.json ;; esac
  len=$(wc -c <"$reports/$name.json")
  { printf 'PUT %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n' "$path" "$hp" "$len"
    cat "$reports/$name.json"; } | nc -w 10 "$host" "$port" | head -1
fi
exit $code
