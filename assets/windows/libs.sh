#!/usr/bin/env bash
# Builds the C libraries Spotter links for Windows with mingw-w64, from the
# pinned source archives: libjpeg-turbo, libdeflate, LibRaw, libde265, dav1d,
# libheif and libjxl (with the highway, brotli and lcms2 commits it pins).
#
#   assets/windows/libs.sh SRC PREFIX
#
# SRC holds the archives and their SHA256SUMS (../shared/windows-src); an
# archive missing there is downloaded from its project on GitHub at the
# pinned commit into PREFIX's download folder. Every archive is checked
# against SHA256SUMS before it is unpacked, so a download that differs from
# the pinned one stops the build.
#
# Licences decide how each is linked. libheif and libde265 are LGPL-3.0: they
# are DLLs beside spotter.exe, which a person can replace with their own build.
# LibRaw is LGPL-2.1 or CDDL-1.0; Spotter takes it under the CDDL, which allows
# static linking (its unmodified sources are these). The rest are permissive
# and static. The DLLs carry their own copies of libgcc, libstdc++ and
# winpthread (-static), so nothing from mingw has to be shipped beside them.
set -euo pipefail

src=$(realpath "$1")
prefix=$(realpath -m "$2")
# Not a folder go ./... walks into: libheif's sources hold Go examples.
work=$prefix/_src
jobs=$(nproc)
host=x86_64-w64-mingw32
# The POSIX-threads compilers: libde265 needs std::mutex, which the
# win32-threads ones lack.
cc=$host-gcc-posix
cxx=$host-g++-posix

declare -A commit=(
  [libjpeg-turbo-3.1.4]=libjpeg-turbo/libjpeg-turbo/e352b02f794f701407b39af08576035ba3360d60
  [libdeflate-1.25]=ebiggers/libdeflate/c8c56a20f8f621e6a966b716b31f1dedab6a41e3
  [LibRaw-0.20.2]=LibRaw/LibRaw/0209b6a2caec189e6d1a9b21c10e9e49f46e5a92
  [libde265-1.1.1]=strukturag/libde265/4dd701fffac01632ffd5cabc5ef10deb56accba1
  [libheif-1.23.1]=strukturag/libheif/2c4bbb54c2738d4a5efbbe3e5fa1d5d76bb88eb0
  [dav1d-1.5.3]=videolan/dav1d/b546257f770768b2c88258c533da38b91a06f737
  [libjxl-0.12.0]=libjxl/libjxl/a7a9c787341cf703dede03c2009fa460cae5e5df
  [highway-457c891]=google/highway/457c891
  [brotli-028fb5a]=google/brotli/028fb5a
  [lcms-5176347]=mm2/Little-CMS/5176347
)

for tool in $cc $cxx cmake meson ninja nasm; do
  command -v "$tool" >/dev/null || { echo "libs.sh: $tool is missing (make deps installs it)" >&2; exit 1; }
done

mkdir -p "$prefix" "$work"
cd "$work"

# unpack NAME [DIR] puts the checked archive's tree in DIR (default NAME).
unpack() {
  local name=$1 dir=${2:-$1} archive=$src/$1.tar.gz
  if [ ! -f "$archive" ]; then
    archive=$work/downloads/$name.tar.gz
    if [ ! -f "$archive" ]; then
      local ref=${commit[$name]}
      mkdir -p "$work/downloads"
      echo "libs.sh: $name is not in $src; downloading ${ref%/*} at ${ref##*/}"
      curl -fsSL "https://github.com/${ref%/*}/archive/${ref##*/}.tar.gz" -o "$archive.part"
      mv "$archive.part" "$archive"
    fi
  fi
  local want
  want=$(awk -v f="$name.tar.gz" '$2 == f { print $1 }' "$src/SHA256SUMS")
  [ -n "$want" ] || { echo "libs.sh: $name.tar.gz is not in $src/SHA256SUMS" >&2; exit 1; }
  echo "$want  $archive" | sha256sum -c --quiet - || {
    echo "libs.sh: $archive is not the pinned $name (SHA-256 differs)" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$archive" -C "$dir" --strip-components=1
}

cat >toolchain.cmake <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_CXX_COMPILER $cxx)
set(CMAKE_RC_COMPILER $host-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$host $prefix)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF

cat >cross.meson <<EOF
[binaries]
c = '$cc'
cpp = '$cxx'
ar = '$host-ar'
strip = '$host-strip'
windres = '$host-windres'
pkg-config = 'pkg-config'
[host_machine]
system = 'windows'
cpu_family = 'x86_64'
cpu = 'x86_64'
endian = 'little'
EOF

export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig PKG_CONFIG_PATH=

# cmake_build DIR ARGS… configures, builds and installs one library.
cmake_build() {
  local dir=$1; shift
  cmake -S "$dir" -B "$dir/out" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_TESTING=OFF \
    -DCMAKE_SHARED_LINKER_FLAGS=-static -DCMAKE_EXE_LINKER_FLAGS=-static "$@" >"$dir.log" 2>&1 ||
    { tail -30 "$dir.log" >&2; exit 1; }
  cmake --build "$dir/out" -j "$jobs" >>"$dir.log" 2>&1 && cmake --install "$dir/out" >>"$dir.log" 2>&1 ||
    { tail -30 "$dir.log" >&2; exit 1; }
}

# step NAME returns false when NAME was built into PREFIX by an earlier run
# of this script, so that a failed build resumes where it stopped.
step() {
  [ -f "$prefix/.built-$1" ] && return 1
  echo "libs.sh: $1 ($(date +%T))"
}
built() { touch "$prefix/.built-$1"; }

if step libjpeg-turbo; then
  unpack libjpeg-turbo-3.1.4
  cmake_build libjpeg-turbo-3.1.4 -DENABLE_SHARED=OFF -DWITH_TURBOJPEG=OFF -DWITH_TOOLS=OFF
  built libjpeg-turbo
fi

if step libdeflate; then
  unpack libdeflate-1.25
  cmake_build libdeflate-1.25 -DLIBDEFLATE_BUILD_SHARED_LIB=OFF -DLIBDEFLATE_BUILD_GZIP=OFF
  built libdeflate
fi

if step LibRaw; then
  unpack LibRaw-0.20.2
  # Makefile.mingw writes an empty libraw_r.a; Makefile.dist builds it. No
  # OpenMP and no LCMS: Spotter asks for neither.
  make -C LibRaw-0.20.2 -f Makefile.dist -j "$jobs" lib/libraw_r.a CXX=$cxx CC=$cc AR=$host-ar \
    CFLAGS="-O3 -I. -w -DLIBRAW_NODLL -DUSE_JPEG -I$prefix/include" >LibRaw-0.20.2.log 2>&1 ||
    { tail -30 LibRaw-0.20.2.log >&2; exit 1; }
  mkdir -p "$prefix/include/libraw" "$prefix/lib"
  cp LibRaw-0.20.2/libraw/*.h "$prefix/include/libraw/"
  cp LibRaw-0.20.2/lib/libraw_r.a "$prefix/lib/"
  built LibRaw
fi

if step libde265; then
  unpack libde265-1.1.1
  cmake_build libde265-1.1.1 -DBUILD_SHARED_LIBS=ON -DENABLE_SDL=OFF -DENABLE_DECODER=OFF -DENABLE_ENCODER=OFF
  built libde265
fi

if step dav1d; then
  unpack dav1d-1.5.3
  meson setup dav1d-1.5.3/out dav1d-1.5.3 --cross-file cross.meson --prefix "$prefix" --libdir lib \
    --buildtype release --default-library static -Denable_tools=false -Denable_tests=false \
    -Denable_examples=false >dav1d-1.5.3.log 2>&1 &&
    ninja -C dav1d-1.5.3/out -j "$jobs" install >>dav1d-1.5.3.log 2>&1 ||
    { tail -30 dav1d-1.5.3.log >&2; exit 1; }
  built dav1d
fi

if step libheif; then
  unpack libheif-1.23.1
  cmake_build libheif-1.23.1 -DBUILD_SHARED_LIBS=ON -DWITH_LIBDE265=ON -DWITH_DAV1D=ON \
    -DWITH_AOM_DECODER=OFF -DWITH_AOM_ENCODER=OFF -DWITH_X265=OFF -DWITH_KVAZAAR=OFF -DWITH_RAV1E=OFF \
    -DWITH_JPEG_DECODER=OFF -DWITH_JPEG_ENCODER=OFF -DWITH_OpenJPEG_DECODER=OFF -DWITH_OpenJPEG_ENCODER=OFF \
    -DWITH_OPENJPH_DECODER=OFF -DWITH_OPENJPH_ENCODER=OFF -DWITH_FFMPEG_DECODER=OFF -DWITH_OpenH264_DECODER=OFF \
    -DWITH_X264=OFF -DWITH_VVDEC=OFF -DWITH_VVENC=OFF -DWITH_UVG266=OFF -DWITH_LIBSHARPYUV=OFF \
    -DWITH_UNCOMPRESSED_CODEC=OFF -DWITH_HEADER_COMPRESSION=OFF -DWITH_GDK_PIXBUF=OFF -DWITH_EXAMPLES=OFF \
    -DWITH_FUZZERS=OFF -DENABLE_PLUGIN_LOADING=OFF -DBUILD_DOCUMENTATION=OFF
  built libheif
fi

if step libjxl; then
  unpack libjxl-0.12.0
  unpack highway-457c891 libjxl-0.12.0/third_party/highway
  unpack brotli-028fb5a libjxl-0.12.0/third_party/brotli
  # brotli installs its manual pages, which its archive leaves out.
  mkdir -p libjxl-0.12.0/third_party/brotli/docs
  touch libjxl-0.12.0/third_party/brotli/docs/{brotli.1,constants.h.3,decode.h.3,encode.h.3,types.h.3}
  unpack lcms-5176347 libjxl-0.12.0/third_party/lcms
  # libjxl builds its bundled lcms2 only where it sees a git checkout.
  touch libjxl-0.12.0/third_party/lcms/.git
  cmake_build libjxl-0.12.0 -DBUILD_SHARED_LIBS=OFF -DJPEGXL_STATIC=OFF -DJPEGXL_ENABLE_TOOLS=OFF \
    -DJPEGXL_ENABLE_DOXYGEN=OFF -DJPEGXL_ENABLE_MANPAGES=OFF -DJPEGXL_ENABLE_BENCHMARK=OFF \
    -DJPEGXL_ENABLE_EXAMPLES=OFF -DJPEGXL_ENABLE_JNI=OFF -DJPEGXL_ENABLE_SJPEG=OFF -DJPEGXL_ENABLE_OPENEXR=OFF \
    -DJPEGXL_ENABLE_SKCMS=OFF -DJPEGXL_ENABLE_JPEGLI=OFF -DJPEGXL_BUNDLE_LIBPNG=OFF -DJPEGXL_ENABLE_FUZZERS=OFF \
    -DJPEGXL_ENABLE_TRANSCODE_JPEG=OFF -DJPEGXL_ENABLE_PLUGINS=OFF -DJPEGXL_ENABLE_AVX512=OFF \
    -DJPEGXL_ENABLE_AVX512_SPR=OFF -DJPEGXL_ENABLE_AVX512_ZEN4=OFF
  built libjxl
fi

# The licences, for the package, and what each library is and how it is
# linked, for its list of licences (assets/windows/licenses).
mkdir -p "$prefix/licenses"
lic() { cp "$work/$2" "$prefix/licenses/$3"; printf '%s\t%s\t%s\t%s\n' "$1" "$4" "$5" "$3" >>"$prefix/licenses/libraries.tsv"; }
rm -f "$prefix/licenses/libraries.tsv"
lic "libjpeg-turbo 3.1.4" libjpeg-turbo-3.1.4/LICENSE.md libjpeg-turbo.md "IJG, BSD-3-Clause and zlib" "linked in"
lic "libdeflate 1.25" libdeflate-1.25/COPYING libdeflate.txt MIT "linked in"
lic "LibRaw 0.20.2" LibRaw-0.20.2/LICENSE.CDDL LibRaw-CDDL-1.0.txt "CDDL-1.0 (chosen of LGPL-2.1 or CDDL-1.0)" "linked in"
lic "libheif 1.23.1" libheif-1.23.1/COPYING libheif-LGPL-3.0.txt LGPL-3.0 "libheif.dll, replaceable"
lic "libde265 1.1.1" libde265-1.1.1/COPYING libde265-LGPL-3.0.txt LGPL-3.0 "libde265.dll, replaceable"
lic "dav1d 1.5.3" dav1d-1.5.3/COPYING dav1d.txt BSD-2-Clause "linked into libheif.dll"
lic "libjxl 0.12.0" libjxl-0.12.0/LICENSE libjxl.txt BSD-3-Clause "linked in"
lic "highway (libjxl's)" libjxl-0.12.0/third_party/highway/LICENSE highway.txt "Apache-2.0 or BSD-3-Clause" "linked in"
lic "brotli (libjxl's)" libjxl-0.12.0/third_party/brotli/LICENSE brotli.txt MIT "linked in"
lic "Little CMS 2 (libjxl's)" libjxl-0.12.0/third_party/lcms/LICENSE lcms2.txt MIT "linked in"
echo "libs.sh: done ($(date +%T))"
