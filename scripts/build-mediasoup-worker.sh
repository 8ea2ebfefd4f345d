#!/usr/bin/env bash
# Builds mediasoup-worker from the worker sources shipped in the mediasoup npm package, against the
# distribution's libraries (Debian 12 / Ubuntu 24.04 names), with no download other than apt.
#   usage: build-mediasoup-worker.sh <mediasoup/worker source dir> <output dir>
# Three adjustments make the sources build offline:
#   - the meson subprojects (which download tarballs) become thin wrappers around pkg-config deps,
#     plus a small header giving libsrtp 3's C++ call shapes on top of libsrtp 2;
#   - io_uring support is disabled (it needs liburing >= 2.5);
#   - the DTLS BIO callback returns the real result of every post-call. Without that, an OpenSSL
#     built with kTLS support (Debian's is) sees BIO_get_ktls_send() == 1 on the memory BIO, never
#     allocates the DTLS write buffer, and the worker segfaults on the first ClientHello.
set -euo pipefail
SRC="$1"
OUT="$2"
JOBS="${JOBS:-$(nproc)}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/quorum-worker-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
log() { echo "[mediasoup-worker build] $*"; }

DEPS=(g++ pkg-config meson ninja-build libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler)
missing=()
for p in "${DEPS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing build packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The worker build needs these packages. Install them, then run 'node scripts/mediasoup-worker.mjs':"
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 3
  fi
fi

cp -r "$SRC" "$WORK/worker"
cd "$WORK/worker"
rm -rf out
bash "$HERE/mediasoup-worker-subprojects.sh" subprojects

sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/BIO_cb_post(operationType) ? static_cast<long>(ret) : 1;/' src/RTC/DtlsTransport.cpp
grep -q 'BIO_cb_post(operationType) ? static_cast<long>(ret) : 1;' src/RTC/DtlsTransport.cpp \
  || { echo "the DTLS BIO callback fix did not apply to this mediasoup version; refusing to build a worker that would crash"; exit 1; }
if dpkg --compare-versions "$(meson --version)" lt 1.1.0; then
  sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" meson.build
fi

log "configuring (meson $(meson --version))"
meson setup --wrap-mode=nodownload --buildtype=release -Db_ndebug=true -Dms_disable_liburing=true "$WORK/build" . >"$WORK/setup.log" \
  || { cat "$WORK/setup.log"; exit 1; }
meson compile -C "$WORK/build" flatbuffers-generator >/dev/null
log "compiling with $JOBS jobs"
meson compile -C "$WORK/build" -j "$JOBS" mediasoup-worker >"$WORK/compile.log" 2>&1 || { tail -40 "$WORK/compile.log"; exit 1; }
mkdir -p "$OUT"
strip -o "$OUT/mediasoup-worker" "$WORK/build/mediasoup-worker"
chmod 755 "$OUT/mediasoup-worker"
log "done: $OUT/mediasoup-worker"
