#!/bin/bash
# SPDX-License-Identifier: MIT
# it_install.sh - the light paths and the release pieces, from the tree:
#   - scripts/deps modes: which packages each mode asks for (--list);
#   - make install / uninstall into a scratch DESTDIR with a scratch prefix
#     (what goes where, paths substituted, defaults kept, install-strip);
#   - make dist's tarball: its files and the stamped version;
#   - the bash completion against the built binary;
#   - scripts/show-report.py: every row, and quiet when its reader goes away;
#   - the man page: .TH date and version, mandoc lint.
# `make distcheck` (CI) builds and tests the tarball itself.  No network.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
[ -x "$PTRAUDIT" ] && [ -f Makefile ] || { not_ok "ptraudit built and configured"; finish; }
version=$(sed -n 's/^#define PTRAUDIT_VERSION "\(.*\)"/\1/p' src/core/version.h)

# ---- scripts/deps ---------------------------------------------------------
list() { scripts/deps --list "$@" | sort | tr '\n' ' '; }
# publicsuffix: the Public Suffix List data libpsl reads at run time (DMARC)
check "deps build: compiler, pkg-config, the -dev libraries and the PSL data only" \
  "build-essential libc-ares-dev libcsv-dev libpsl-dev libuv1-dev pkg-config publicsuffix zlib1g-dev " "$(list build)"
check "deps demo: build + python3, no browser" \
  "build-essential libc-ares-dev libcsv-dev libpsl-dev libuv1-dev pkg-config publicsuffix python3 zlib1g-dev " \
  "$(list demo)"
check "deps fuzz: build + clang" \
  "build-essential clang libc-ares-dev libclang-rt-14-dev libcsv-dev libpsl-dev libuv1-dev pkg-config publicsuffix zlib1g-dev " \
  "$(list fuzz)"
t=$(list test)
for p in check chromium knot unbound nftables valgrind debhelper dpkg-dev lintian python3; do
  check_contains "deps test has $p" " $p " " $t"
done
check "deps without a mode is test" "$t" "$(list)"
missing=""
for p in $(list demo); do [[ " $t" == *" $p "* ]] || missing="$missing $p"; done
check "deps test is a superset of demo" "" "$missing"
check "deps: PTRAUDIT_FUZZ_DEPS=1 adds fuzz" "$(list build fuzz)" \
  "$(PTRAUDIT_FUZZ_DEPS=1 scripts/deps --list build | sort | tr '\n' ' ')"
scripts/deps nonsense > /dev/null 2>&1
check "deps: an unknown mode is an error (exit 2)" 2 $?

# ---- make install / uninstall -----------------------------------------------
D=$SCRATCH/dest
pre=/opt/pa
mk() { make -s prefix=$pre sysconfdir=/etc/pa DESTDIR="$D" "$@" > "$SCRATCH/make.log" 2>&1; }
mk install
check "make install exits 0" 0 $?
for f in bin/ptraudit share/man/man1/ptraudit.1 lib/ptraudit/nightly.sh \
         lib/systemd/system/ptraudit-nightly.service lib/systemd/system/ptraudit-nightly.timer \
         share/bash-completion/completions/ptraudit share/doc/ptraudit/README.md \
         share/doc/ptraudit/CHANGELOG.md share/doc/ptraudit/SECURITY.md share/doc/ptraudit/LICENSE \
         share/doc/ptraudit/examples/inventory.csv; do
  [ -e "$D$pre/$f" ] && ok "installed $pre/$f" || not_ok "installed $pre/$f"
done
for f in exclude.conf nightly.env; do
  [ -e "$D/etc/pa/ptraudit/$f" ] && ok "installed /etc/pa/ptraudit/$f" || not_ok "installed /etc/pa/ptraudit/$f"
done
[ -x "$D$pre/lib/ptraudit/nightly.sh" ] && ok "nightly.sh is executable" || not_ok "nightly.sh is executable"
unit=$D$pre/lib/systemd/system/ptraudit-nightly.service
check "unit: the installed paths" "ExecStart=$pre/lib/ptraudit/nightly.sh
EnvironmentFile=-/etc/pa/ptraudit/nightly.env
Environment=PTRAUDIT=$pre/bin/ptraudit" "$(grep -E '^(ExecStart|EnvironmentFile|Environment)=' "$unit")"
check "nightly.env: the installed exclude file" "PTRAUDIT_OPTS=--exclude-file /etc/pa/ptraudit/exclude.conf" \
  "$(grep '^PTRAUDIT_OPTS=' "$D/etc/pa/ptraudit/nightly.env")"
check "man page: the installed README's directory" 1 \
  "$(grep -cxF ".I $pre/share/doc/ptraudit/" "$D$pre/share/man/man1/ptraudit.1")"
symtab() { readelf -S "$1" | grep -c ' \.symtab '; }
[ "$(symtab "$D$pre/bin/ptraudit")" = 1 ] && ok "install: the program is not stripped" \
  || not_ok "install: the program is not stripped"
# An edited default survives install and uninstall.
echo "192.0.2.99" >> "$D/etc/pa/ptraudit/exclude.conf"
mk install
grep -qx 192.0.2.99 "$D/etc/pa/ptraudit/exclude.conf" && ok "install keeps an edited exclude.conf" \
  || not_ok "install keeps an edited exclude.conf"
mk uninstall
check "make uninstall exits 0" 0 $?
check "uninstall leaves only the edited exclude.conf" "$D/etc/pa/ptraudit/exclude.conf" \
  "$(find "$D" -type f)"
rm -rf "$D"
mk install-strip
[ "$(symtab "$D$pre/bin/ptraudit")" = 0 ] && ok "install-strip strips the program" \
  || not_ok "install-strip strips the program"
"$D$pre/bin/ptraudit" --version | grep -q "^ptraudit $version " && ok "the stripped program runs" \
  || not_ok "the stripped program runs"

# ---- make dist's tarball ------------------------------------------------------
tb=$(sh build-aux/mkdist.sh "$SCRATCH")
check "tarball name" "$SCRATCH/ptraudit-$version.tar.gz" "$tb"
names=$(tar -tzf "$tb")
for f in configure Makefile.in MANIFEST LICENSE CHANGELOG.md SECURITY.md README.md ptraudit.1 \
         debian/rules debian/control tests/lib.sh tests/check_main.c src/core/version.h \
         src/testnet/testnet.c completion/ptraudit.bash etc/exclude.conf build-aux/mkdist.sh; do
  grep -qx "ptraudit-$version/$f" <<<"$names" && ok "tarball has $f" || not_ok "tarball has $f"
done
for f in ptraudit testnet Makefile config.log src/libptraudit.a tests/check_ptraudit; do
  grep -qx "ptraudit-$version/$f" <<<"$names" && not_ok "tarball has no $f" || ok "tarball has no $f"
done
grep -q '\.o$' <<<"$names" && not_ok "tarball has no object files" || ok "tarball has no object files"
check_contains "tarball's version.h: the stamped version" "#define PTRAUDIT_VERSION \"$version\"" \
  "$(tar -xzOf "$tb" "ptraudit-$version/src/core/version.h")"
[ -x "$SCRATCH/x/ptraudit-$version/configure" ] || { mkdir -p "$SCRATCH/x"; tar -xzf "$tb" -C "$SCRATCH/x"; }
[ -x "$SCRATCH/x/ptraudit-$version/configure" ] && ok "tarball keeps configure executable" \
  || not_ok "tarball keeps configure executable"
# The unpacked tarball (no git) makes the same tarball again from its MANIFEST.
mkdir "$SCRATCH/again"
(cd "$SCRATCH/x/ptraudit-$version" && sh build-aux/mkdist.sh "$SCRATCH/again") > /dev/null 2>&1
check "a tarball made from the unpacked tarball has the same files" "$names" \
  "$(tar -tzf "$SCRATCH/again/ptraudit-$version.tar.gz" 2>&1)"

# ---- bash completion -----------------------------------------------------------
comp() {
  bash -c 'source completion/ptraudit.bash
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ptraudit
    [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$@" | sort | tr '\n' ' '
}
check "completion: subcommands" "diff " "$(comp "$PTRAUDIT" di)"
check "completion: --exc" "--exclude --exclude-file " "$(comp "$PTRAUDIT" --exc)"
check "completion: diff's own options" "--allow-truncated " "$(comp "$PTRAUDIT" diff --al)"
check "completion: summary's --by" "--by " "$(comp "$PTRAUDIT" summary --b)"
check "completion: --format values" "csv jsonl " "$(comp "$PTRAUDIT" --format '')"
check "completion: --fail-on values" "fail never warn " "$(comp "$PTRAUDIT" --fail-on '')"
check "completion: -o completes files" "SECURITY.md " "$(comp "$PTRAUDIT" -o SECU)"
check "completion: @FILE" "@SECURITY.md " "$(comp "$PTRAUDIT" @SECU)"
check "completion: --rate takes a number: nothing offered" "" "$(comp "$PTRAUDIT" --rate '')"
# Every long option of every --help is offered (so it cannot drift).
for sub in "" diff merge summary; do
  # shellcheck disable=SC2086
  want=$("$PTRAUDIT" $sub --help | sed -nE 's/^ {2,6}(-[A-Za-z], )?(--[a-z][a-z0-9-]*).*/\2/p' | sort -u | tr '\n' ' ')
  # shellcheck disable=SC2086
  check "completion offers every option of ptraudit ${sub:-(main)} --help" "$want" "$(comp "$PTRAUDIT" $sub --)"
done
check_contains "--help describes --format's values" "csv (default) or jsonl" "$("$PTRAUDIT" --help)"
check_contains "--help describes --fail-on's values" "fail (default), warn or never" "$("$PTRAUDIT" --help)"

# ---- show-report.py (the demo's tables) ----------------------------------------
{
  echo "ip,verdict,flags,ptr,smtp_status,banner_host"
  for i in $(seq 0 19999); do echo "10.$((i / 256)).$((i % 256)).1,ok,,h$i.example.net,banner,h$i.example.net"; done
} > "$SCRATCH/big.csv"
check "show-report.py prints every row (+ 2 header lines)" 20002 \
  "$(python3 scripts/show-report.py "$SCRATCH/big.csv" | wc -l)"
err=$( (python3 scripts/show-report.py "$SCRATCH/big.csv" | head -3 > /dev/null) 2>&1)
check "show-report.py into head: no traceback" "" "$err"

# ---- man page ---------------------------------------------------------------------
check_match "ptraudit.1: .TH has a date and this version" \
  "^\.TH PTRAUDIT 1 [0-9]{4}-[0-9]{2}-[0-9]{2} \"ptraudit $version\"" "$(grep '^\.TH' ptraudit.1)"
if command -v mandoc >/dev/null; then
  check "ptraudit.1: mandoc -Tlint is clean" "" "$(mandoc -Tlint ptraudit.1 2>&1)"
else
  not_ok "mandoc is installed (scripts/deps test)"
fi
check "CHANGELOG.md has this version" 1 "$(grep -cE "^## \[($version|Unreleased)\]" CHANGELOG.md)"
finish
