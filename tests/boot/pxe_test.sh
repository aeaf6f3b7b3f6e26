#!/usr/bin/env bash
# The PXE bundle in qemu (TCG) with user networking restricted to the VM
# (restrict=on: no traffic leaves this machine). The only server is nginx with
# the shipped iso/examples/nginx-lifeboat.conf, run by this test as nobody in
# the foreground on 127.0.0.1 under timeout, reached from the VM as
# 10.0.2.100:80 (guestfwd, one connection per guest connection).
#  1. iPXE over HTTP: the NIC's iPXE ROM loads a two-line script by TFTP that
#     sets lifeboat-report and chains the shipped boot.ipxe from nginx, which
#     loads vmlinuz and initrd.img over HTTP; lifeboat auto repairs the XP disk
#     and PUTs its report to nginx's /reports/.
#  2. pxelinux over TFTP: the shipped pxelinux.0 and pxelinux.cfg with the
#     auto-poweroff label chosen for this machine's MAC (pxelinux.cfg/01-<mac>);
#     the report goes to nginx too.
# Both repair a fresh copy of the damaged disk; checked with ntfscat.
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || skip "no nginx (package nginx; scripts/setup.sh installs it)"
command -v setpriv >/dev/null || skip "no setpriv (package util-linux)"
[[ -f /usr/share/qemu/efi-e1000.rom || -f /usr/lib/ipxe/qemu/efi-e1000.rom || -f /usr/share/qemu/pxe-e1000.rom ]] ||
  skip "no iPXE ROM for qemu's e1000 (package ipxe-qemu)"
media
xp_disk

# ---- nginx with the shipped example config ---------------------------------------
chmod 755 "$T"
N=$T/nginx
SRV=$T/srv
mkdir -p "$N"/{body,proxy,fastcgi,uwsgi,scgi} "$SRV/reports" "$SRV/.upload"
cp "$PXE"/{vmlinuz,initrd.img,boot.ipxe} "$SRV/"
port=""
for _ in $(seq 20); do
  p=$(shuf -i 20000-60000 -n 1)
  ss -Hltn "sport = :$p" | grep -q . || { port=$p; break; }
done
[[ -n "$port" ]] || fail "no free TCP port on 127.0.0.1"
sed -e "s|listen 80;|listen 127.0.0.1:$port;|" -e '/listen \[::\]:80;/d' -e "s|/srv/lifeboat|$SRV|g" \
  "$SRC/iso/examples/nginx-lifeboat.conf" >"$N/lifeboat.conf"
cat >"$N/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log info;
events { worker_connections 64; }
http {
  default_type application/octet-stream;
  access_log $N/access.log;
  client_body_temp_path $N/body;
  proxy_temp_path $N/proxy;
  fastcgi_temp_path $N/fastcgi;
  uwsgi_temp_path $N/uwsgi;
  scgi_temp_path $N/scgi;
  include $N/lifeboat.conf;
}
EOF
chown -R nobody "$N" "$SRV/reports" "$SRV/.upload"
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${as_nobody[@]}" nginx -t -q -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>"$T/nginx-t.log" ||
  { cat "$T/nginx-t.log" "$N/error.log" >&2; fail "nginx rejects the example config"; }
timeout 280 "${as_nobody[@]}" nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" &
nginx_pid=$!
cleanup_hooks+=("kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null")
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
# http_status METHOD PATH [FILE]: the status code nginx answers
http_status() {
  local req
  req="$1 $2 HTTP/1.0\r\nHost: 127.0.0.1\r\n"
  if [[ -n "${3:-}" ]]; then req+="Content-Length: $(stat -c %s "$3")\r\n\r\n"; else req+="\r\n"; fi
  { printf "$req"; [[ -z "${3:-}" ]] || cat "$3"; } | busybox nc 127.0.0.1 "$port" | head -1 | awk '{print $2}'
}
[[ "$(http_status GET /boot.ipxe)" == 200 ]] || fail "nginx does not serve boot.ipxe: $(cat "$N/error.log")"
echo '{}' >"$T/probe.json"
[[ "$(http_status PUT /reports/probe/x.json "$T/probe.json")" == 201 ]] || fail "nginx does not take a PUT to /reports/: $(cat "$N/error.log")"
[[ "$(http_status GET /reports/probe/x.json)" == 403 ]] || fail "nginx lets reports be read back"
[[ "$(http_status PUT /boot.ipxe "$T/probe.json")" == 403 ]] || fail "nginx lets the bundle be overwritten"
rm -rf "$SRV/reports/probe"
pass "nginx with iso/examples/nginx-lifeboat.conf on 127.0.0.1:$port: serves the bundle, takes PUT into reports/, reports are write-only"

mkdir -p "$T/tftp"
net="user,id=n0,restrict=on,tftp=$T/tftp,guestfwd=tcp:10.0.2.100:80-cmd:busybox nc 127.0.0.1 $port"
mac=52:54:00:12:34:56

# pxe_boot NAME BOOTFILE: boots a fresh copy of the disk from the network, checks the repair and the report
pxe_boot() {
  local name=$1 bootfile=$2
  cp "$T/img/xp.img" "$T/disk.img"
  rm -f "$SRV"/reports/*
  boot 170 -boot n -netdev "$net,bootfile=$bootfile" -device e1000,netdev=n0,mac=$mac \
    -drive file="$T/disk.img",format=raw,if=virtio
  console_has "lifeboat: no boot medium found; using the built-in manifests"
  console_has "lifeboat: network eth0 up: 10.0.2."
  console_has "lifeboat: lifeboat auto exit status 5: repaired, problems left"
  console_has "lifeboat: powering off"
  [[ "$(ntfs_sha "$T/disk.img" /WINDOWS/system32/svchost.exe)" == "$GOOD_SVCHOST" ]] ||
    fail "$name: svchost.exe on the disk does not have the dllcache copy's SHA-256"
  pass "$name: booted from the network, lifeboat auto restored svchost.exe (checked with ntfscat), powered off"
  local json
  json=$(ls "$SRV"/reports/*.json 2>/dev/null | head -1)
  [[ -n "$json" ]] || fail "$name: no report arrived at nginx (access log: $(cat "$N/access.log"))"
  [[ "$(jqr "$json" '[.. | objects | select(.path? == "WINDOWS/system32/svchost.exe")] | length > 0')" == true ]] ||
    fail "$name: the uploaded report does not mention svchost.exe"
  [[ "$(jqr "$json" '.schema + " " + (.exit_code | tostring)')" == "lifeboat.auto/1 5" ]] ||
    fail "$name: the uploaded report is not a lifeboat.auto/1 report with exit code 5"
  [[ "$(jqr "$json" '[.volumes[] | .report.summary.restored // 0] | add')" == 2 ]] ||
    fail "$name: the uploaded report does not say 2 files were restored: $(jq -c '[.volumes[] | {outcome, summary: .report.summary}]' "$json")"
  pass "$name: report $(basename "$json") arrived at nginx by HTTP PUT"
  echo "boot time: PXE ($name), qemu start to power off: $BOOT_SECONDS s (TCG)"
}

# 1. iPXE: the ROM runs chain.ipxe from qemu's TFTP, which chains the shipped boot.ipxe over HTTP
printf '#!ipxe\nset lifeboat-report http://10.0.2.100/reports/\nchain http://10.0.2.100/boot.ipxe\n' >"$T/tftp/chain.ipxe"
pxe_boot "iPXE over HTTP" chain.ipxe
grep -q '"GET /initrd.img HTTP' "$N/access.log" || fail "initrd.img was not loaded from nginx"

# 2. pxelinux over TFTP: the shipped bundle, this MAC's entry set to auto-poweroff with the report URL
cp -r "$PXE"/. "$T/tftp/"
sed -e 's/^DEFAULT .*/DEFAULT auto-poweroff/' -e 's/^TIMEOUT .*/TIMEOUT 1/' \
  -e 's|lifeboat.then=poweroff$|lifeboat.then=poweroff lifeboat.report=http://10.0.2.100/reports/|' \
  "$PXE/pxelinux.cfg/default" >"$T/tftp/pxelinux.cfg/01-${mac//:/-}"
pxe_boot "pxelinux over TFTP" pxelinux.0
