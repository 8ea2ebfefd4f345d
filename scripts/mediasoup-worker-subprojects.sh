#!/usr/bin/env bash
# Replaces the worker's meson subprojects (each of which would download a tarball) with thin wrappers
# around the system libraries found by pkg-config. usage: mediasoup-worker-subprojects.sh <subprojects dir>
set -euo pipefail

SP="$1"
rm -f "$SP"/*.wrap
mk() { # mk <name> <meson.build body> [option names accepted via default_options]
  mkdir -p "$SP/$1"
  : > "$SP/$1/meson_options.txt"
  for o in ${3:-}; do echo "option('$o', type: 'string', value: '')" >> "$SP/$1/meson_options.txt"; done
  printf 'int quorum_sysdep_%s = 0;\n' "$(echo "$1" | tr -c 'a-zA-Z0-9\n' '_')" > "$SP/$1/stub.c"
  printf '%s\n' "$2" > "$SP/$1/meson.build"
}
mk openssl "project('openssl', 'c')
openssl_dep = dependency('openssl', version: '>= 3.0')
libcrypto_lib = static_library('crypto_stub', 'stub.c')
libssl_lib = libcrypto_lib"
mk libuv "project('libuv', 'c')
libuv_dep = dependency('libuv', version: '>= 1.44')
libuv = static_library('uv_stub', 'stub.c')" "build_tests build_benchmarks"
mk usrsctp "project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('usrsctp_stub', 'stub.c')" "sctp_build_programs"
mk abseil-cpp "project('abseil-cpp', 'c', 'cpp')
absl_container_dep = declare_dependency(dependencies: [dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'), dependency('absl_btree'), dependency('absl_inlined_vector'), dependency('absl_memory')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = dependency('absl_optional')
absl_container_lib = static_library('absl_stub', 'stub.c')"
mk flatbuffers "project('flatbuffers', 'c')
flatbuffers_dep = dependency('flatbuffers')
flatbuffers_lib = static_library('flatbuffers_stub', 'stub.c')"
mk catch2 "project('catch2', 'c')
catch2_dep = dependency('catch2-with-main', required: false)"
mk liburing "project('liburing', 'c')
uring = dependency('liburing', version: '>= 2.5') # bookworm has 2.3: build with -Dms_disable_liburing=true
liburing = static_library('uring_stub', 'stub.c')"
# libsrtp3 -> Debian libsrtp2 + C++ API shim header named srtp.h
mk libsrtp3 "project('libsrtp3', 'c')
libsrtp3_dep = declare_dependency(include_directories: include_directories('include'), dependencies: dependency('libsrtp2', version: '>= 2.4'))
libsrtp3 = static_library('srtp3_stub', 'stub.c')" "crypto-library crypto-library-kdf tests"
mkdir -p "$SP/libsrtp3/include"
cat > "$SP/libsrtp3/include/srtp.h" <<'SHIM'
// libsrtp 3.x API shim over Debian's libsrtp2 (2.4/2.5). C++ only.
// Adds the 3.x overloads mediasoup >= 3.15 calls; libsrtp2's C symbols stay intact.
#ifndef QUORUM_SRTP3_ON_SRTP2_H
#define QUORUM_SRTP3_ON_SRTP2_H
#include <srtp2/srtp.h>
#ifndef __cplusplus
#error "srtp3 shim is C++ only"
#endif
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

// Error codes added in libsrtp 3 (same numeric values as upstream 3.x).
#define srtp_err_status_buffer_small (static_cast<srtp_err_status_t>(28))
#define srtp_err_status_cryptex_err (static_cast<srtp_err_status_t>(29))

namespace quorum_srtp3
{
	using fn_inplace = srtp_err_status_t (*)(srtp_t, void*, int*);

	inline srtp_err_status_t Run(
	  fn_inplace fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t extra)
	{
		if (inLen > static_cast<size_t>(INT_MAX) - extra)
			return srtp_err_status_bad_param;
		if (*outLen < inLen + extra)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, inLen);
		int len = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, out, &len);
		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);
		return err;
	}
} // namespace quorum_srtp3

// libsrtp3: srtp_protect(ctx, rtp, rtp_len, srtp, &srtp_len, mki_index).
// mediasoup never enables MKI, so mki_index is ignored (libsrtp2 srtp_protect == no MKI).
inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t /*mki_index*/)
{
	return quorum_srtp3::Run(&::srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TAG_LEN);
}
inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return quorum_srtp3::Run(&::srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len, 0);
}
inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t /*mki_index*/)
{
	return quorum_srtp3::Run(
	  &::srtp_protect_rtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TAG_LEN + 4);
}
inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return quorum_srtp3::Run(&::srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc); // both take network byte order
}
#endif
SHIM
echo "[mediasoup-worker build] subprojects now use system libraries"
