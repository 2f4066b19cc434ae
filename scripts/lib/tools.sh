# shellcheck shell=bash
# Shared setup for scripts/wall.sh and scripts/test.sh. Source it; do not execute it.
#
# Sourcing only sets environment variables and defines functions. Nothing is installed
# until a vg_ensure_* function is called. Every vg_ensure_* function is idempotent: it
# first runs the matching vg_have_* check and does nothing when the tool is already
# present at the required version.

# ---- pinned versions -------------------------------------------------------------------
# cargo-leptos 0.3.11 needs a newer rustc than the workspace's 1.95, so stay on 0.3.10.
VG_CARGO_LEPTOS_VERSION="0.3.10"
# Debian's binaryen (108) produces a release wasm that crashes in the browser; use the
# npm build of binaryen 132 instead.
VG_BINARYEN_MAJOR="132"

# ---- environment -----------------------------------------------------------------------
VG_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VG_CACHE_DIR="${VG_CACHE_DIR:-$HOME/.cache/vanguard}"
VG_TOOLS_PREFIX="${VG_TOOLS_PREFIX:-$VG_CACHE_DIR/tools}"

# Build output lives outside the clone so that a fresh clone reuses it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vanguard/target}"

# cargo-installed binaries and the npm-installed wasm-opt must be found first on PATH.
case ":$PATH:" in
    *":$VG_TOOLS_PREFIX/bin:"*) ;;
    *) PATH="$VG_TOOLS_PREFIX/bin:$PATH" ;;
esac
case ":$PATH:" in
    *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
    *) PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac
export PATH

# ---- messages --------------------------------------------------------------------------
vg_say() { printf '==> %s\n' "$*"; }
vg_note() { printf '    %s\n' "$*"; }
vg_die() {
    printf '\n==> ERROR: %s\n' "$*" >&2
    exit 1
}

# Run a command as root (directly, or through sudo when not root).
vg_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        vg_die "need root to run: $* (run as root or install sudo)"
    fi
}

# ---- Debian packages -------------------------------------------------------------------
VG_APT_UPDATED=0
# vg_apt_install PKG... : installs Debian packages; runs `apt-get update` once per script run.
vg_apt_install() {
    command -v apt-get >/dev/null 2>&1 || vg_die "apt-get not found; please install manually: $*"
    if [ "$VG_APT_UPDATED" -eq 0 ]; then
        vg_say "apt-get update"
        vg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        VG_APT_UPDATED=1
    fi
    vg_say "apt-get install $*"
    vg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# A C toolchain is needed to link Rust binaries and to build SQLite (via sqlx).
vg_have_c_toolchain() { command -v cc >/dev/null 2>&1; }
vg_ensure_c_toolchain() {
    if vg_have_c_toolchain; then return 0; fi
    vg_say "Installing a C toolchain (build-essential, pkg-config) — about a minute"
    vg_apt_install build-essential pkg-config
}

# ---- Rust: wasm32 target ----------------------------------------------------------------
vg_have_wasm_target() {
    local sysroot
    sysroot="$(cd "$VG_REPO_ROOT" && rustc --print sysroot 2>/dev/null)" || return 1
    [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]
}
vg_ensure_wasm_target() {
    if vg_have_wasm_target; then
        vg_say "wasm32-unknown-unknown target: present"
        return 0
    fi
    vg_say "Installing Rust target wasm32-unknown-unknown (rustup, under a minute)"
    (cd "$VG_REPO_ROOT" && rustup target add wasm32-unknown-unknown)
    vg_have_wasm_target || vg_die "wasm32-unknown-unknown target still missing after rustup target add"
}

# ---- cargo-leptos ----------------------------------------------------------------------
# Prints the installed cargo-leptos version (e.g. 0.3.10), or nothing.
vg_cargo_leptos_version() {
    local out
    out="$(cargo leptos --version 2>/dev/null)" || return 0
    # "cargo-leptos 0.3.10"
    printf '%s\n' "$out" | awk '{print $NF; exit}'
}
vg_have_cargo_leptos() { [ "$(vg_cargo_leptos_version)" = "$VG_CARGO_LEPTOS_VERSION" ]; }
vg_ensure_cargo_leptos() {
    if vg_have_cargo_leptos; then
        vg_say "cargo-leptos $VG_CARGO_LEPTOS_VERSION: present"
        return 0
    fi
    local have
    have="$(vg_cargo_leptos_version)"
    vg_say "Installing cargo-leptos $VG_CARGO_LEPTOS_VERSION${have:+ (found $have)}"
    vg_note "compiled from source: takes about 20 minutes the first time on 2 cores"
    # CARGO_TARGET_DIR is unset so the install does not churn the workspace's build cache.
    env -u CARGO_TARGET_DIR cargo install cargo-leptos --locked --features no_downloads \
        --version "$VG_CARGO_LEPTOS_VERSION"
    vg_have_cargo_leptos ||
        vg_die "cargo leptos --version reports '$(vg_cargo_leptos_version)', expected $VG_CARGO_LEPTOS_VERSION"
}

# ---- wasm-bindgen-cli ------------------------------------------------------------------
# Prints the version of the `wasm-bindgen` package recorded in Cargo.lock.
vg_lock_wasm_bindgen_version() {
    local lock="$VG_REPO_ROOT/Cargo.lock" versions count
    [ -f "$lock" ] || vg_die "Cargo.lock not found at $lock"
    versions="$(awk '
        $0 == "[[package]]" { name = ""; next }
        $1 == "name" { name = $3; gsub(/"/, "", name); next }
        $1 == "version" && name == "wasm-bindgen" { v = $3; gsub(/"/, "", v); print v; name = "" }
    ' "$lock" | sort -u)"
    count="$(printf '%s\n' "$versions" | grep -c . || true)"
    [ "$count" -eq 1 ] ||
        vg_die "expected exactly one wasm-bindgen version in Cargo.lock, found ${count}: $(echo "$versions" | tr '\n' ' ')"
    printf '%s\n' "$versions"
}
# Prints the installed wasm-bindgen CLI version (e.g. 0.2.130), or nothing.
vg_wasm_bindgen_version() {
    local out
    out="$(wasm-bindgen --version 2>/dev/null)" || return 0
    # "wasm-bindgen 0.2.130"
    printf '%s\n' "$out" | awk '{print $2; exit}'
}
vg_have_wasm_bindgen() { [ "$(vg_wasm_bindgen_version)" = "$(vg_lock_wasm_bindgen_version)" ]; }
vg_ensure_wasm_bindgen() {
    local want have
    want="$(vg_lock_wasm_bindgen_version)"
    have="$(vg_wasm_bindgen_version)"
    if [ "$have" = "$want" ]; then
        vg_say "wasm-bindgen-cli $want (matches Cargo.lock): present"
        return 0
    fi
    vg_say "Installing wasm-bindgen-cli $want (version of wasm-bindgen in Cargo.lock${have:+; found $have})"
    vg_note "compiled from source: takes about 9 minutes the first time on 2 cores"
    # No --locked: the lock file shipped with wasm-bindgen-cli does not build with it.
    env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$want"
    have="$(vg_wasm_bindgen_version)"
    [ "$have" = "$want" ] || vg_die "wasm-bindgen --version reports '$have', expected $want"
}

# ---- wasm-opt (binaryen from npm) ------------------------------------------------------
# Prints the installed wasm-opt major version (e.g. 132), or nothing.
vg_wasm_opt_version() {
    local out
    out="$(wasm-opt --version 2>/dev/null)" || return 0
    # "wasm-opt version 132 (version_132)"
    printf '%s\n' "$out" | sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' | head -n 1
}
vg_have_wasm_opt() { [ "$(vg_wasm_opt_version)" = "$VG_BINARYEN_MAJOR" ]; }
vg_ensure_wasm_opt() {
    if vg_have_wasm_opt; then
        vg_say "wasm-opt $VG_BINARYEN_MAJOR: present ($(command -v wasm-opt))"
        return 0
    fi
    local have
    have="$(vg_wasm_opt_version)"
    vg_say "Installing wasm-opt from npm package binaryen@$VG_BINARYEN_MAJOR into $VG_TOOLS_PREFIX${have:+ (found version $have on PATH, not used)}"
    vg_note "a few seconds"
    command -v npm >/dev/null 2>&1 || vg_die "npm not found; install Node.js 20 and npm first"
    mkdir -p "$VG_TOOLS_PREFIX"
    npm install --global --prefix "$VG_TOOLS_PREFIX" --no-fund --no-audit --loglevel=error \
        "binaryen@$VG_BINARYEN_MAJOR"
    hash -r
    vg_have_wasm_opt ||
        vg_die "wasm-opt --version reports '$(vg_wasm_opt_version)', expected $VG_BINARYEN_MAJOR ($(command -v wasm-opt || echo 'not on PATH'))"
}

# ---- everything cargo-leptos needs -----------------------------------------------------
vg_ensure_build_tools() {
    command -v cargo >/dev/null 2>&1 || vg_die "cargo not found; install the Rust toolchain (rustup) first"
    command -v npm >/dev/null 2>&1 || vg_die "npm not found; install Node.js 20 and npm first"
    vg_say "Build output: CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
    vg_ensure_c_toolchain
    vg_ensure_wasm_target
    vg_ensure_cargo_leptos
    vg_ensure_wasm_bindgen
    vg_ensure_wasm_opt
}

# ---- Chromium, CJK font, curl from Debian ----------------------------------------------
# The tests drive Chromium (Playwright), and `serve` prints the monthly reports to PDF with
# it (server/src/reports/pdf.rs): both scripts install it.
vg_have_font() { fc-list 2>/dev/null | grep -i wqy >/dev/null; }
vg_ensure_browser() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    vg_have_font || missing+=(fonts-wqy-zenhei)
    command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
    # pdftotext reads the reports' PDFs back (the tests, and anyone checking a PDF's text).
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    if [ "${#missing[@]}" -eq 0 ]; then
        vg_say "Chromium, WenQuanYi Zen Hei font, curl, pdftotext: present"
        return 0
    fi
    vg_say "Installing ${missing[*]} from Debian (a few minutes; Playwright uses /usr/bin/chromium)"
    vg_apt_install "${missing[@]}"
    [ -x /usr/bin/chromium ] || vg_die "/usr/bin/chromium still missing after apt-get install"
    vg_have_font || vg_die "fc-list does not list the WenQuanYi font after apt-get install"
}

