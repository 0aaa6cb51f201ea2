#!/usr/bin/env bash
# One version everywhere (issue 16): include/thbx.h's THBX_VERSION is
# semantic (MAJOR.MINOR.PATCH), CMake's project version, the newest entry of
# CHANGELOG.md, the .TH line of every man page and `thbx --version`.
. "$(dirname "$0")/lib.sh"
v=$(sed -n 's/^#define THBX_VERSION "\(.*\)"$/\1/p' "$SRC/include/thbx.h")
[[ $v =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] || fail "THBX_VERSION '$v' is not MAJOR.MINOR.PATCH"
[ "${THBX_CMAKE_VERSION:-}" = "$v" ] || fail "CMake's version '${THBX_CMAKE_VERSION:-}' is not $v"
top=$(sed -n 's/^## \[\([^]]*\)\].*/\1/p' "$SRC/CHANGELOG.md" | grep -v -i unreleased | head -1)
[ "$top" = "$v" ] || fail "the newest CHANGELOG.md entry is '$top', not $v"
grep -q "^## \[$v\] - [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$" "$SRC/CHANGELOG.md" || fail "CHANGELOG.md: $v has no date"
for page in "$SRC"/docs/man/*.1; do
  grep -q "^\.TH .* \"thbx $v\" " "$page" || fail "$(basename "$page") does not name thbx $v"
done
"$THBX" --version >"$TMP/v" || fail "thbx --version failed"
[ "$(head -1 "$TMP/v")" = "thbx $v" ] || fail "thbx --version: $(head -1 "$TMP/v")"
grep -q "^libthbx $v$" "$TMP/v" || fail "thbx --version names no libthbx $v"
grep -q "^profiles: .*thb-event-1.0" "$TMP/v" || fail "thbx --version names no profiles"
# the library versions are the ones loaded at run time: compare with the
# Debian packages' versions (their upstream part)
for pair in libxml2:libxml2 libxslt:libxslt1.1 jansson:libjansson4 yajl:libyajl2 PCRE2:libpcre2-8-0 \
  OpenSSL:libssl3; do
  name=${pair%%:*} pkg=${pair#*:}
  got=$(sed -n "s/^$name \([^ ]*\)$/\1/p" "$TMP/v")
  [ -n "$got" ] || fail "thbx --version names no $name"
  deb=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null | sed 's/^[0-9]*://; s/[-+~].*//')
  if [ -n "$deb" ]; then
    case "$deb" in "$got"*) ;; *) fail "thbx --version says $name $got, the package $pkg is $deb" ;; esac
  fi
  checks=$((checks + 1))
done
pass
