#!/bin/sh
# SPDX-License-Identifier: MIT
# build-aux/mkdist.sh - make the release tarball (`make dist`).
#
#   sh build-aux/mkdist.sh OUTDIR     write OUTDIR/ptraudit-VERSION.tar.gz,
#                                     print its path
#   sh build-aux/mkdist.sh --version  print VERSION only
#
# VERSION is PTRAUDIT_VERSION of src/core/version.h; in a git checkout
# whose `git describe --tags` (tags v0.2.0, ...) starts with that version,
# the description instead (0.2.0 on the tag, 0.2.0-3-gabc1234 three commits
# later), so a tarball made between releases says exactly what it holds.
# The version is stamped into the tarball's src/core/version.h, which
# `ptraudit --version`, configure and the next `make dist` read.
#
# The files are those git tracks (as they are in the working tree), or,
# outside git (an unpacked tarball), those listed in its MANIFEST, which
# every tarball carries.  Owners, order and times are fixed (the time of the
# last commit, or SOURCE_DATE_EPOCH), so the same tree gives the same bytes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(sed -n 's/^#define PTRAUDIT_VERSION "\(.*\)"/\1/p' "$top/src/core/version.h")
[ -n "$base" ] || { echo "mkdist: no PTRAUDIT_VERSION in src/core/version.h" >&2; exit 1; }

ingit=0
if command -v git >/dev/null 2>&1 &&
   [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
  ingit=1
fi
version=$base
if [ "$ingit" = 1 ] && d=$(git -C "$top" describe --tags --match 'v[0-9]*' 2>/dev/null); then
  case ${d#v} in
    "$base" | "$base"-*) version=${d#v} ;;
  esac
fi
if [ "${1:-}" = --version ]; then
  echo "$version"
  exit 0
fi
[ $# -eq 1 ] || { echo "usage: mkdist.sh OUTDIR | --version" >&2; exit 2; }
out=$(cd "$1" && pwd)

name=ptraudit-$version
stage=$(mktemp -d "${TMPDIR:-/tmp}/ptraudit-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
list=$stage/files
if [ "$ingit" = 1 ]; then
  # Tracked files that still exist (a deletion not yet committed is left out).
  git -C "$top" ls-files -z | tr '\0' '\n' | while IFS= read -r f; do
    [ -e "$top/$f" ] && printf '%s\n' "$f"
  done > "$list"
  epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
else
  [ -r "$top/MANIFEST" ] || { echo "mkdist: not a git checkout and no MANIFEST" >&2; exit 1; }
  grep -vx MANIFEST "$top/MANIFEST" > "$list"
  epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$top/MANIFEST")}
fi
mkdir "$stage/$name"
tar -C "$top" -cf - -T "$list" | tar -C "$stage/$name" -xf -
{ cat "$list"; echo MANIFEST; } | LC_ALL=C sort > "$stage/$name/MANIFEST"
sed "s/^#define PTRAUDIT_VERSION \".*\"/#define PTRAUDIT_VERSION \"$version\"/" \
  "$top/src/core/version.h" > "$stage/$name/src/core/version.h"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -cf - "$name" | gzip -9n > "$out/$name.tar.gz.tmp"
mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
echo "$out/$name.tar.gz"
