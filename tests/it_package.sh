#!/bin/bash
# SPDX-License-Identifier: MIT
# it_package.sh - the Debian package: built with Debian's own tools from a
# copy of the tree (the dist tarball's files, unpacked in the scratch
# directory: dpkg-buildpackage writes its results to the parent directory),
# inspected (files, conffiles, maintainer scripts, lintian), unpacked into a
# scratch root with dpkg -x, and its installed binary run against testnet.
# Needs debhelper, dpkg-dev and lintian (scripts/deps test).  About 40 s.
# Network: loopback only (testnet on ports it picks, 127.64.0.0/24).
source "$(dirname "$0")/lib.sh"

for tool in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps lintian dh; do
  command -v "$tool" >/dev/null 2>&1 || { not_ok "$tool is installed (scripts/deps test)"; finish; }
done
version=$(sh "$TOP/build-aux/mkdist.sh" --version)
debver=$(cd "$TOP" && dpkg-parsechangelog -S Version)
case $debver in
  "$version"-*) ok "debian/changelog's version $debver is of ptraudit $version" ;;
  *) not_ok "debian/changelog's version is of ptraudit $version" "debian/changelog: $debver" ;;
esac

# ---- build ----------------------------------------------------------------
mkdir -p "$SCRATCH/build"
tarball=$(sh "$TOP/build-aux/mkdist.sh" "$SCRATCH/build") || { not_ok "make the source tarball"; finish; }
tar -xzf "$tarball" -C "$SCRATCH/build"
src=$SCRATCH/build/ptraudit-$version
(cd "$src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) > "$SCRATCH/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || { tail -30 "$SCRATCH/build.log"; finish; }
deb=$SCRATCH/build/ptraudit_${debver}_$(dpkg --print-architecture).deb
[ -s "$deb" ] && ok "the .deb is written beside the tree" || { not_ok "the .deb is written" "$deb"; finish; }
check_match "the package build ran the unit tests" "Checks: [0-9]+, Failures: 0, Errors: 0" \
  "$(cat "$SCRATCH/build.log")"

# ---- contents ---------------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{print $1, $6}')
for f in ./usr/bin/ptraudit ./usr/share/man/man1/ptraudit.1.gz \
         ./etc/ptraudit/exclude.conf ./etc/ptraudit/nightly.env \
         ./usr/lib/ptraudit/nightly.sh \
         ./lib/systemd/system/ptraudit-nightly.service ./lib/systemd/system/ptraudit-nightly.timer \
         ./usr/share/bash-completion/completions/ptraudit \
         ./usr/share/doc/ptraudit/copyright ./usr/share/doc/ptraudit/README.md \
         ./usr/share/doc/ptraudit/changelog.Debian.gz ./usr/share/doc/ptraudit/examples/inventory.csv; do
  grep -q " $f\$" <<<"$contents" && ok "package has $f" || not_ok "package has $f"
done
check_match "ptraudit and nightly.sh are executable" "^-rwxr-xr-x ./usr/bin/ptraudit
(.*
)*-rwxr-xr-x ./usr/lib/ptraudit/nightly.sh" "$(grep -E 'bin/ptraudit$|nightly.sh$' <<<"$contents")"
for f in testnet usr/local /LICENSE; do
  grep -q "$f" <<<"$contents" && not_ok "package has no $f" || ok "package has no $f"
done
mkdir "$SCRATCH/ctl"
dpkg-deb -e "$deb" "$SCRATCH/ctl"
check "conffiles: the two defaults in /etc/ptraudit" "/etc/ptraudit/exclude.conf
/etc/ptraudit/nightly.env" "$(sort "$SCRATCH/ctl/conffiles")"
# --no-enable --no-start: the timer is enabled only where the admin had
# enabled it before (an upgrade), and nothing is started.
post=$(cat "$SCRATCH/ctl/postinst" 2>/dev/null)
check_contains "postinst registers the timer with deb-systemd-helper" "ptraudit-nightly.timer" "$post"
grep -q 'deb-systemd-invoke' <<<"$post" && not_ok "postinst starts nothing" || ok "postinst starts nothing"
unguarded=$(grep -B2 'deb-systemd-helper enable' <<<"$post" | grep -c 'was-enabled')
check "postinst enables the timer only if it was enabled" \
  "$(grep -c 'deb-systemd-helper enable' <<<"$post")" "$unguarded"
check_match "Depends lists the runtime libraries" "libc-ares2.*libcsv3.*libuv1.*zlib1g" \
  "$(dpkg-deb -f "$deb" Depends)"

# ---- lintian: no error, no warning (the overrides say why each is kept) -----
lint=$(lintian --fail-on error,warning "$deb" 2>&1)
check "lintian: no errors or warnings" 0 $?
[ -z "$(grep -E '^[EW]: ' <<<"$lint")" ] || printf '%s\n' "$lint"

# ---- unpack and run the installed program ------------------------------------
root=$SCRATCH/root
dpkg -x "$deb" "$root"
P=$root/usr/bin/ptraudit
check_match "installed ptraudit --version" "^ptraudit $version " "$("$P" --version)"
start_testnet --smtp-net 127.64.0.0/20
# testnet's address plan (tests/testnet.md): the last octet picks the DNS
# scenario (0 pass, 1 NXDOMAIN, 4 forward mismatch), the third octet the
# SMTP scenario (0: a banner with the PTR name).
"$P" -r "127.0.0.1:$DNS" --smtp-port "$SMTP" --smtp-timeout 5000 --fail-on never -q --ordered \
  -o "$SCRATCH/out.csv" 127.64.0.0 127.64.0.1 127.64.0.4
check "installed ptraudit audits testnet: exit 0" 0 $?
check "installed ptraudit: the verdicts testnet's scenarios call for" \
  "127.64.0.0,ok,
127.64.0.1,fail,NO_PTR
127.64.0.4,fail,FCRDNS_MISMATCH" "$(awk -F, 'NR > 1 {print $1 "," $2 "," $3}' "$SCRATCH/out.csv")"

# ---- the installed files fit together ----------------------------------------
unit=$root/lib/systemd/system/ptraudit-nightly.service
check "unit: ExecStart is the installed nightly script" "ExecStart=/usr/lib/ptraudit/nightly.sh" \
  "$(grep '^ExecStart=' "$unit")"
check "unit: PTRAUDIT is the installed binary" "Environment=PTRAUDIT=/usr/bin/ptraudit" \
  "$(grep '^Environment=PTRAUDIT=' "$unit")"
check "unit: the environment file is the conffile" "EnvironmentFile=-/etc/ptraudit/nightly.env" \
  "$(grep '^EnvironmentFile=' "$unit")"
# nightly.env's options, with /etc pointing into the scratch root, are
# options ptraudit accepts; the exclude file parses as shipped and with its
# commented example entries enabled.
opts=$(sed -n 's/^PTRAUDIT_OPTS=//p' "$root/etc/ptraudit/nightly.env" | sed "s|/etc/|$root/etc/|g")
check_match "nightly.env passes the exclude file" "^--exclude-file $root/etc/ptraudit/exclude.conf\$" "$opts"
# shellcheck disable=SC2086 # word-split as nightly.sh does
"$P" $opts --dry-run 192.0.2.0/30 > "$SCRATCH/dry1" 2>&1
check "ptraudit accepts nightly.env's options and exclude.conf as shipped" 0 $?
sed -E 's/^# ([0-9a-f:.]+[/-][0-9a-f:.]+)( .*)?$/\1/' "$root/etc/ptraudit/exclude.conf" > "$SCRATCH/ex.conf"
check "exclude.conf has 14 example entries" 14 "$(grep -cE '^[0-9a-f:.]+[/-]' "$SCRATCH/ex.conf")"
"$P" --exclude-file "$SCRATCH/ex.conf" --dry-run 10.1.2.3 198.51.100.7 203.0.113.15 203.0.113.21 > "$SCRATCH/dry2" 2>&1
check "the example entries parse" 0 $?
check_contains "the example entries exclude what they name" "skipped, excluded: 3" "$(cat "$SCRATCH/dry2")"
man=$root/usr/share/man/man1/ptraudit.1.gz
check_match "installed man page: .TH with a date and the version" \
  "^\.TH PTRAUDIT 1 [0-9]{4}-[0-9]{2}-[0-9]{2} \"ptraudit $version\"" "$(zcat "$man" | grep '^\.TH')"
check_contains "installed man page names the installed README" "/usr/share/doc/ptraudit/" "$(zcat "$man")"
[ -e "$root/usr/share/doc/ptraudit/README.md" ] && ok "the README it names is installed" \
  || not_ok "the README it names is installed"
if command -v mandoc >/dev/null; then
  check "installed man page: mandoc -Tlint is clean" "" "$(zcat "$man" | mandoc -Tlint 2>&1)"
else
  not_ok "mandoc is installed (scripts/deps test)"
fi
finish
