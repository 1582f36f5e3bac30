#!/usr/bin/env bash
# Installs what the build needs and fetches the pinned third-party sources into
# a cache outside git. Idempotent: a second run touches neither apt nor npm.
#
#   scripts/deps.sh            system packages + third-party sources + node modules
#   CRM_CACHE=/path            where sources are cached (default ~/.cache/crm)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CRM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm}
mkdir -p "$cache"

say() { printf '\033[1m[deps]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[deps] error:\033[0m %s\n' "$*" >&2; exit 1; }

# --- pinned versions ---------------------------------------------------------
IMGUI_VERSION=1.90.1
IMGUI_DEB=1.90.1+ds-1
IMGUI_TAR=imgui_1.90.1+ds.orig.tar.xz
IMGUI_SHA=ecce377df0f90b292f15dcbd83d438bddc162b2388c881132bde18c787572a1c
SQLITE_NPM=better-sqlite3@12.11.1
SQLITE_TGZ=better-sqlite3-12.11.1.tgz
SQLITE_SHA=ebf0ed75a7a59dbcb3b24bbd014ef49d9f15bc328e4adcbf516f2a8fadfa2835

APT_PACKAGES=(
  cmake ninja-build g++ git xz-utils python3 pkg-config
  emscripten
  chromium
  libgtest-dev libgmock-dev libbenchmark-dev
  libcereal-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libsodium-dev
  postgresql libpq-dev nlohmann-json3-dev
  clang-14 libclang-rt-14-dev
  python3-fonttools fonts-droid-fallback fonts-dejavu-core fonts-symbola fonts-hanazono
  nodejs npm
  # the browser tests' other engines: WebKitGTK (MiniBrowser, driven by WebKitWebDriver) and Firefox ESR,
  # both drawing under Xvfb; locales, so each engine can be started in Chinese or English
  webkit2gtk-driver firefox-esr xvfb locales
)

# --- system packages -----------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  # node and npm may come from outside Debian on a developer machine; that is fine
  if [[ $p == nodejs && -x "$(command -v node)" ]] || [[ $p == npm && -x "$(command -v npm)" ]]; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq || die "apt-get update failed (network?)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
fi

# --- the locales the engines take their language from (WebKitGTK reads it from the process's locale)
for l in zh_CN en_US; do
  if ! locale -a 2>/dev/null | grep -qi "^$l.utf-\?8$"; then
    say "generating the $l.UTF-8 locale"
    sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo localedef -i "$l" -f UTF-8 "$l.UTF-8" || die "localedef $l.UTF-8 failed"
  fi
done

# --- a system user to run the test PostgreSQL as (initdb refuses root; tests/relay/pg.sh uses it)
if [[ $(id -u) == 0 ]] && ! id crmtest >/dev/null 2>&1; then
  say "creating system user crmtest (runs the test PostgreSQL; no login, no home)"
  useradd --system --no-create-home --shell /usr/sbin/nologin crmtest || die "useradd crmtest failed"
fi

verify() { # file sha
  echo "$2  $1" | sha256sum -c --status || die "SHA-256 mismatch for $1 (expected $2, got $(sha256sum "$1" | cut -d' ' -f1)); delete it and retry"
}

# --- Dear ImGui, from Debian's source package (trixie), without touching the system's apt sources
if [[ ! -f $cache/imgui-$IMGUI_VERSION/.ok ]]; then
  tarball=$cache/dl/$IMGUI_TAR
  if [[ ! -f $tarball ]]; then
    say "fetching Dear ImGui $IMGUI_DEB source package"
    d=$cache/apt; rm -rf "$d"; mkdir -p "$d/lists/partial" "$d/parts" "$cache/dl"
    uri=""
    [[ -f /etc/apt/sources.list.d/debian.sources ]] && uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    [[ -z $uri && -f /etc/apt/sources.list ]] && uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:\/\//){print $i; exit}}' /etc/apt/sources.list)
    [[ -n $uri ]] || die "cannot find the Debian archive URI in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$d/sources.list"
    A=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts" -o "Dir::State::Lists=$d/lists" -o "APT::Sandbox::User=root")
    apt-get "${A[@]}" update -qq >/dev/null || die "apt-get update for the imgui source package failed"
    (cd "$cache/dl" && apt-get "${A[@]}" source --download-only -qq "imgui=$IMGUI_DEB" >/dev/null) || die "apt-get source imgui=$IMGUI_DEB failed"
    rm -rf "$d"
  fi
  verify "$tarball" "$IMGUI_SHA"
  rm -rf "$cache/imgui-$IMGUI_VERSION.tmp"; mkdir -p "$cache/imgui-$IMGUI_VERSION.tmp"
  tar -xJf "$tarball" -C "$cache/imgui-$IMGUI_VERSION.tmp" --strip-components=1
  rm -rf "$cache/imgui-$IMGUI_VERSION"; mv "$cache/imgui-$IMGUI_VERSION.tmp" "$cache/imgui-$IMGUI_VERSION"
  touch "$cache/imgui-$IMGUI_VERSION/.ok"
fi

# --- SQLite amalgamation, from the better-sqlite3 npm tarball
if [[ ! -f $cache/sqlite/.ok ]]; then
  tarball=$cache/dl/$SQLITE_TGZ
  if [[ ! -f $tarball ]]; then
    say "fetching SQLite amalgamation ($SQLITE_NPM)"
    mkdir -p "$cache/dl"
    (cd "$cache/dl" && npm pack --silent "$SQLITE_NPM" >/dev/null) || die "npm pack $SQLITE_NPM failed"
  fi
  verify "$tarball" "$SQLITE_SHA"
  rm -rf "$cache/sqlite.tmp"; mkdir -p "$cache/sqlite.tmp"
  tar -xzf "$tarball" -C "$cache/sqlite.tmp" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h package/deps/sqlite3/sqlite3ext.h
  mv "$cache/sqlite.tmp/package/deps/sqlite3"/* "$cache/sqlite.tmp/"; rm -rf "$cache/sqlite.tmp/package"
  rm -rf "$cache/sqlite"; mv "$cache/sqlite.tmp" "$cache/sqlite"
  touch "$cache/sqlite/.ok"
fi

# --- node modules for browser tests (lock file committed; never downloads a browser)
if [[ ! -d $root/node_modules/playwright-core ]] || [[ $root/package-lock.json -nt $root/node_modules/.package-lock.json ]]; then
  say "installing node modules (npm ci)"
  (cd "$root" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund) || die "npm ci failed"
fi

echo "$cache"
