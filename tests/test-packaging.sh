#!/bin/bash
# test-packaging.sh SOURCE_ROOT: debian/ cannot rot unseen.
#
# Without building the package again (that would double CI's build time):
# configure a throwaway tree as the package does (--prefix=/usr, release
# app id) and ask meson what it would install; then every installed file
# must belong to exactly one debian/*.install (dh_missing --fail-missing
# would stop the package build otherwise), every .install line must match an
# installed file, and the gateway's unit, system user and configuration must
# land where systemd and dpkg look for them. If build-aux/livedesk package
# left .deb files of this version in _build-deb/, lintian checks them too.
set -euo pipefail

src=${1:?SOURCE_ROOT}

failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/livedesk-packaging-XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. What `meson install` puts in the package, from configuration alone.
if ! meson setup "$work/build" "$src" --prefix=/usr -Ddevelopment=false >"$work/setup.log" 2>&1; then
  cat "$work/setup.log"
  fail "meson setup --prefix=/usr failed"
  exit 1
fi
meson introspect "$work/build" --installed |
  python3 -c 'import json, sys; print("\n".join(sorted(p.lstrip("/") for p in json.load(sys.stdin).values())))' \
  >"$work/installed"
if [ ! -s "$work/installed" ]; then
  fail "meson lists nothing to install"
  exit 1
fi
echo "meson installs $(wc -l <"$work/installed") files"

# 2. Each installed file in exactly one debian/*.install, each line matching something.
: >"$work/claimed"
for install in "$src"/debian/*.install; do
  package=$(basename "$install" .install)
  grep -q "^Package: $package\$" "$src/debian/control" || fail "$install: no package $package in debian/control"
  while read -r pattern _; do
    [ -z "$pattern" ] && continue
    case "$pattern" in \#*) continue ;; esac
    matched=0
    while read -r path; do
      # dh_install's patterns are shell globs; a directory takes what is below it
      # shellcheck disable=SC2053
      if [[ $path == $pattern || $path == "$pattern"/* ]]; then
        echo "$path $package" >>"$work/claimed"
        matched=1
      fi
    done <"$work/installed"
    [ $matched -eq 1 ] || fail "$package.install: “$pattern” matches nothing meson installs"
  done <"$install"
done
while read -r path; do
  owners=$(awk -v p="$path" '$1 == p { print $2 }' "$work/claimed" | sort -u | tr '\n' ' ')
  case "$(wc -w <<<"$owners")" in
    1) ;;
    0) fail "$path is installed but in no debian/*.install (dh_missing would stop the build)" ;;
    *) fail "$path is in several packages: $owners" ;;
  esac
done <"$work/installed"

# 3. The gateway package: the unit where systemd (Debian 12) looks, the
#    sysusers file, the configuration as a conffile under /etc.
owner_of() { awk -v p="$1" '$1 == p { print $2 }' "$work/claimed" | head -n1; }
for expected in lib/systemd/system/livedesk-gateway.service usr/lib/sysusers.d/livedesk-gateway.conf \
                etc/livedesk/gateway.conf usr/bin/livedesk-gateway; do
  if [ "$(owner_of "$expected")" = livedesk-gateway ]; then
    pass "livedesk-gateway ships /$expected"
  else
    fail "/$expected is not in the livedesk-gateway package"
  fi
done
for expected in usr/bin/livedesk usr/bin/livedesk-cli; do
  [ "$(owner_of "$expected")" = livedesk ] && pass "livedesk ships /$expected" || fail "/$expected is not in the livedesk package"
done

# 4. The unit as configured for the package.
unit="$work/build/data/livedesk-gateway.service"
grep -qx 'Type=notify' "$unit" || fail "the unit is not Type=notify (the gateway sends READY=1)"
grep -q '^WatchdogSec=' "$unit" || fail "the unit sets no WatchdogSec"
grep -q '^ExecStart=/usr/bin/livedesk-gateway --config /etc/livedesk/gateway.conf ' "$unit" ||
  fail "ExecStart does not run /usr/bin/livedesk-gateway with /etc/livedesk/gateway.conf: $(grep ExecStart "$unit")"
user=$(sed -n 's/^User=//p' "$unit")
grep -q "^u $user " "$src/data/livedesk-gateway.sysusers" || fail "the unit runs as “$user”, whom sysusers.d does not create"
grep -qx 'NoNewPrivileges=yes' "$unit" && grep -qx 'ProtectSystem=strict' "$unit" || fail "the unit lost its hardening"
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s\?$/\1/p' "$unit")
drain=$(sed -n 's/^drain-timeout=//p' "$src/data/livedesk-gateway.conf")
[ -n "$stop" ] && [ "$stop" -gt "${drain:-10}" ] || fail "TimeoutStopSec (${stop:-unset}) must exceed the drain timeout (${drain:-10})"
if command -v systemd-analyze >/dev/null; then
  # only the binary and the man page may be missing: neither is installed here
  if systemd-analyze verify "$unit" 2>&1 | grep -v -e 'is not executable' -e "Command 'man " | grep -q .; then
    systemd-analyze verify "$unit" 2>&1 || true
    fail "systemd-analyze verify finds fault with the unit"
  else
    pass "systemd-analyze verify"
  fi
fi

# 5. Versions agree, and the man pages debian/ names exist.
meson_version=$(meson introspect "$work/build" --projectinfo | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
deb_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "${deb_version%%-*}" = "$meson_version" ] || fail "debian/changelog says $deb_version, meson.build $meson_version"
for manpages in "$src"/debian/*.manpages; do
  while read -r page; do
    [ -f "$src/$page" ] || fail "$manpages names $page, which does not exist"
  done <"$manpages"
done

# 6. Every library meson finds through pkg-config comes from a package in
#    Build-Depends, or dpkg-buildpackage stops on a clean machine.
build_depends=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/debian/control")
meson introspect "$work/build" --dependencies |
  python3 -c 'import json, sys; print("\n".join(sorted({d["name"] for d in json.load(sys.stdin)})))' \
  >"$work/dependencies"
while read -r dep; do
  pcdir=$(pkg-config --variable=pcfiledir "$dep" 2>/dev/null) || continue
  owner=$(dpkg -S "$pcdir/$dep.pc" 2>/dev/null | head -n1 | cut -d: -f1) || true
  [ -n "$owner" ] || continue
  if grep -Eq "^ $owner( |,|\$)" <<<"$build_depends"; then
    pass "$dep.pc comes from $owner, a build dependency"
  else
    fail "meson uses $dep ($owner), which debian/control's Build-Depends does not list"
  fi
done <"$work/dependencies"

# 7. lintian over what build-aux/livedesk package built, when it did for this version.
debs=$(ls "$src"/_build-deb/*_"${deb_version}"_*.deb 2>/dev/null || true)
if [ -n "$debs" ]; then
  # shellcheck disable=SC2086
  if lintian --fail-on error,warning --suppress-tags-from-file /dev/null $debs >"$work/lintian" 2>&1; then
    pass "lintian over $(echo $debs | wc -w) .deb files"
  else
    cat "$work/lintian"
    fail "lintian finds errors or warnings"
  fi
else
  echo "note: no .deb of $deb_version in _build-deb/ (build-aux/livedesk package builds them): lintian not run"
fi

if [ $failures -gt 0 ]; then
  echo "$failures packaging check(s) failed"
  exit 1
fi
echo "packaging checks passed"
