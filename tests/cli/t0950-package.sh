#!/usr/bin/env bash
# The Debian package (issue 16): cpack -G DEB from the build directory makes
# thbx_VERSION_amd64.deb; extracted with dpkg-deb -x into a temporary
# directory, its thbx prints its version and converts, its man pages render,
# its completion loads, and a small C program compiles against its thbx.h
# through its thbx.pc (relocatable: found through PKG_CONFIG_PATH alone) and
# runs with its libthbx.so.
. "$(dirname "$0")/lib.sh"
: "${BUILD:?BUILD must name the build directory}"
for tool in cpack dpkg-deb pkg-config cc man; do
  command -v "$tool" >/dev/null || fail "$tool is missing (README.md's second command installs it)"
done

version=$("$THBX" --version | sed -n '1s/^thbx //p')
[ -n "$version" ] || fail "thbx --version names no version"
grep -q "^#define THBX_VERSION \"$version\"$" "$SRC/include/thbx.h" ||
  fail "thbx --version says $version, include/thbx.h another"

# --- build the package (its own output directory: the build dir stays clean)
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$TMP/pkg" >"$TMP/cpack.log" 2>&1 ||
  fail "cpack failed: $(tail -5 "$TMP/cpack.log")"
deb="$TMP/pkg/thbx_${version}_amd64.deb"
[ -f "$deb" ] || fail "no $(basename "$deb"); cpack made: $(ls "$TMP/pkg")"
dpkg-deb -f "$deb" Package Version Architecture Depends >"$TMP/control"
grep -qx "Package: thbx" "$TMP/control" || fail "control: $(cat "$TMP/control")"
grep -qx "Version: $version" "$TMP/control" || fail "control: $(cat "$TMP/control")"
grep -q "^Depends: .*libxml2" "$TMP/control" || fail "no Depends on libxml2: $(cat "$TMP/control")"

root="$TMP/root"
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x failed"
u="$root/usr"
for f in bin/thbx include/thbx.h lib/libthbx.a lib/pkgconfig/thbx.pc \
  share/thbx/schemas/thb-event-1.0.schema.json share/thbx/schemas/thb-event-1.0.xsd \
  share/thbx/schemas/codes/sex.csv share/thbx/xslt/report-html.xsl \
  share/man/man1/thbx.1 share/man/man1/thbx-convert.1 share/man/man1/thbx-validate.1 \
  share/bash-completion/completions/thbx share/doc/thbx/README.md \
  share/doc/thbx/CHANGELOG.md share/doc/thbx/scale.md share/doc/thbx/ci.md; do
  [ -e "$u/$f" ] || fail "the package has no /usr/$f"
done
ls "$u"/lib/libthbx.so.* >/dev/null 2>&1 || fail "the package has no libthbx.so.N"
# the crosswalks of national codes, where the repository keeps them
if [ -d "$SRC/schemas/crosswalks" ]; then
  for f in "$SRC"/schemas/crosswalks/*; do
    [ -e "$u/share/thbx/schemas/crosswalks/$(basename "$f")" ] ||
      fail "the package has no crosswalk $(basename "$f")"
  done
fi
for page in "$SRC"/docs/man/*.1; do
  [ -f "$u/share/man/man1/$(basename "$page")" ] || fail "the package lacks $(basename "$page")"
done

# --- the packaged program, with nothing of the build around it
export LD_LIBRARY_PATH="$u/lib"
out=$("$u/bin/thbx" --version) || fail "packaged thbx --version failed"
[ "$(printf '%s\n' "$out" | head -1)" = "thbx $version" ] || fail "packaged --version: $out"
for lib in libxml2 libxslt jansson yajl PCRE2 OpenSSL; do
  printf '%s\n' "$out" | grep -q "^$lib [0-9]" || fail "packaged --version names no $lib version"
done
"$u/bin/thbx" convert "$u/share/doc/thbx/examples/events.xml" -t json -o "$TMP/events.json" ||
  fail "packaged thbx could not convert"
cmp -s "$TMP/events.json" "$SRC/samples/events.json" ||
  fail "packaged conversion of events.xml differs from samples/events.json"
for page in "$u"/share/man/man1/*.1; do
  w=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$w" ] || fail "$(basename "$page") renders with warnings: $w"
done
bash -c ". '$u/share/bash-completion/completions/thbx' && declare -F _thbx >/dev/null" ||
  fail "the packaged completion defines no _thbx"

# --- an integrator's program through the packaged thbx.pc
export PKG_CONFIG_PATH="$u/lib/pkgconfig"
flags=$(pkg-config --cflags --libs thbx) || fail "pkg-config does not find the packaged thbx.pc"
case "$flags" in *"$root"*) ;; *) fail "thbx.pc points outside the extracted package: $flags" ;; esac
[ "$(pkg-config --modversion thbx)" = "$version" ] || fail "thbx.pc version is not $version"
# a sanitizer build (THBX_SANITIZE, .ci/run) packages an instrumented
# libthbx: the program must be built the same way to load it
san=""
if nm -D "$u"/lib/libthbx.so.* 2>/dev/null | grep -q "__asan_init"; then
  san="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror $san -o "$TMP/use_thbx" "$SRC/tests/data/package/use_thbx.c" $flags ||
  fail "the C program does not compile against the packaged header"
ldd "$TMP/use_thbx" | grep -q "libthbx.so.* => $u/lib/" ||
  fail "the C program does not load the packaged libthbx: $(ldd "$TMP/use_thbx" | grep thbx)"
"$TMP/use_thbx" <"$SRC/samples/events.ndjson" >"$TMP/events.csv" 2>"$TMP/use.err" ||
  fail "the C program failed: $(cat "$TMP/use.err")"
grep -q "^libthbx $version, libxml2 [0-9]" "$TMP/use.err" || fail "version info: $(cat "$TMP/use.err")"
cmp -s "$TMP/events.csv" "$SRC/samples/events.csv" ||
  fail "the C program's CSV differs from samples/events.csv"
checks=$((checks + 1))
pass
