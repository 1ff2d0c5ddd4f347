#!/usr/bin/env bash
# Syntax-checks every native/*.cc against libtorch 2.x headers, with nothing installed:
# Debian trixie's libtorch-dev (2.6) and libgloo-dev are downloaded with a private apt
# state (lists, sources, cache and status of its own) and unpacked with dpkg -x into a
# cache folder, then each file goes through g++ -fsyntax-only with the flags binding.gyp
# and scripts/find-libtorch.mjs give a 2.x build (LIBTORCH pointed at the unpacked tree).
# The installed libtorch (Debian's 1.13 in /usr/include) is hidden from the compiler, so a
# header missing from 2.6 cannot be found in 1.13 instead.
#
# Usage: scripts/check-libtorch2.sh [--force]   (--force: compile files that passed before)
# Exit: 0 every file compiled; 1 a file failed (the compiler's errors are printed);
#       2 this machine cannot run the check (no g++, no Node headers, no node_modules);
#       3 trixie's libtorch-dev cannot be fetched (offline, no apt): prints
#         "cannot fetch trixie libtorch-dev: <why>".
# Environment: PEMN_LIBTORCH2_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pemn/libtorch2-headers),
#   PEMN_DEBIAN_MIRROR (default: the Debian mirror of this machine's apt sources).
set -uo pipefail
cd "$(dirname "$0")/.."

cache=${PEMN_LIBTORCH2_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pemn/libtorch2-headers}
root=$cache/root
packages=(libtorch-dev libgloo-dev)
force=0
[[ "${1:-}" == "--force" ]] && force=1

cannot_fetch() {
  echo "cannot fetch trixie libtorch-dev: $1" >&2
  exit 3
}
cannot_check() {
  echo "check-libtorch2: $1" >&2
  exit 2
}

# The line of an apt log that says what went wrong.
apt_why() {
  local pattern
  for pattern in '^W: Failed to fetch ' '^W: GPG error: ' '^E: '; do
    grep -m1 "$pattern" "$1" | sed "s/$pattern//" | grep . && return
  done
  tail -n1 "$1"
}

tmp=
# The Debian mirror this machine's apt uses (deb822 .sources or one-line sources.list).
debian_mirror() {
  local uri
  uri=$(
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }'
  )
  [[ -z "$uri" ]] && uri=$(
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }'
  )
  echo "${uri:-http://deb.debian.org/debian}"
}

fetch() {
  command -v apt-get >/dev/null || cannot_fetch "apt-get is not installed (not a Debian-based system)"
  command -v dpkg-deb >/dev/null || cannot_fetch "dpkg-deb is not installed"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -f "$keyring" ]] || cannot_fetch "$keyring is missing (apt-get install debian-archive-keyring)"
  mkdir -p "$(dirname "$cache")" || cannot_fetch "cannot create $(dirname "$cache")"
  tmp=$(mktemp -d "$(dirname "$cache")/.libtorch2-fetch.XXXXXX") || cannot_fetch "cannot create a temporary folder"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs" "$tmp/new/root"
  : >"$tmp/status"
  local mirror
  mirror=${PEMN_DEBIAN_MIRROR:-$(debian_mirror)}
  echo "deb [signed-by=$keyring] $mirror trixie main" >"$tmp/sources.list"
  # Everything apt reads or writes is in $tmp: this machine's lists, pins and dpkg status
  # (which knows the installed 1.13) stay out, and nothing is installed.
  local apt=(
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::State::status=$tmp/status"
    -o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=$(id -un)"
    -o "Acquire::Retries=1" -o "Acquire::http::Timeout=20" -o "Acquire::https::Timeout=20"
  )
  echo "check-libtorch2: fetching trixie ${packages[*]} from $mirror into $cache" >&2
  local log=$tmp/apt.log
  # apt-get update exits 0 when an index could not be fetched: its warnings tell.
  if ! apt-get "${apt[@]}" -q update >"$log" 2>&1 || grep -q '^\(E:\|W: Failed to fetch\|W: GPG error\)' "$log"; then
    cannot_fetch "apt-get update of trixie from $mirror failed: $(apt_why "$log")"
  fi
  if ! (cd "$tmp/debs" && apt-get "${apt[@]}" -q download "${packages[@]}") >"$log" 2>&1; then
    cannot_fetch "apt-get download ${packages[*]} failed: $(apt_why "$log")"
  fi
  local deb
  for deb in "$tmp"/debs/*.deb; do
    dpkg-deb -x "$deb" "$tmp/new/root" || cannot_fetch "dpkg-deb -x $(basename "$deb") failed"
    basename "$deb" >>"$tmp/new/packages"
  done
  [[ -f "$tmp/new/root/usr/include/ATen/ATen.h" ]] || cannot_fetch "the downloaded libtorch-dev has no usr/include/ATen/ATen.h"
  rm -rf "$cache"
  mv "$tmp/new" "$cache" || cannot_fetch "cannot move the headers to $cache"
}

[[ -f "$cache/packages" && -f "$root/usr/include/ATen/ATen.h" ]] || fetch
command -v g++ >/dev/null || cannot_check "g++ is not installed"
[[ -d node_modules/node-addon-api ]] || cannot_check "node_modules/node-addon-api is missing: run npm ci"

# Node's headers, where node-gyp takes them: nodedir (npm config), the prefix node runs
# from, or node-gyp's download cache.
node_version=$(node -p process.versions.node)
node_include=
for dir in "${npm_config_nodedir:+$npm_config_nodedir/include/node}" \
  "$(dirname "$(dirname "$(command -v node)")")/include/node" \
  "${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp/$node_version/include/node"; do
  [[ -n "$dir" && -f "$dir/node_api.h" ]] && node_include=$dir && break
done
[[ -n "$node_include" ]] || cannot_check "Node's headers (node_api.h) were not found"

# A view of /usr/include without the installed libtorch (and Gloo): the system's other
# headers stay reachable, the 1.13 ones do not.
# Made again when /usr/include's entries change.
view=$cache/system-include
listing=$(ls -A /usr/include)
if [[ "$(cat "$view/.listing" 2>/dev/null)" != "$listing" ]]; then
  rm -rf "$view" "$view.tmp"
  mkdir -p "$view.tmp"
  for entry in /usr/include/*; do
    name=$(basename "$entry")
    case "$name" in ATen | c10 | caffe2 | torch | TH | THC | gloo | kineto) continue ;; esac
    [[ -e "$root/usr/include/$name" ]] && continue
    ln -s "$entry" "$view.tmp/$name"
  done
  echo "$listing" >"$view.tmp/.listing"
  mv "$view.tmp" "$view"
fi
system_dirs=()
while read -r dir; do
  case "$dir" in
    /usr/include) system_dirs+=(-isystem "$view") ;;
    /usr/local/include) ;;
    *) system_dirs+=(-isystem "$dir") ;;
  esac
done < <(g++ -xc++ -E -v /dev/null 2>&1 | sed -n '/#include <...> search starts here:/,/End of search list./p' | sed '1d;$d')

libtorch=$root/usr
mapfile -t torch_words < <(
  LIBTORCH=$libtorch node scripts/find-libtorch.mjs include &&
    LIBTORCH=$libtorch node scripts/find-libtorch.mjs defines &&
    LIBTORCH=$libtorch node scripts/find-libtorch.mjs cflags
)
((${#torch_words[@]} == 3)) || cannot_check "scripts/find-libtorch.mjs failed for LIBTORCH=$libtorch"
# binding.gyp's own defines and C++ flags, less the words it asks find-libtorch for.
mapfile -t gyp_words < <(node -e '
  const target = JSON.parse(require("node:fs").readFileSync("native/binding.gyp", "utf8")).targets[0];
  const own = (list) => list.filter((word) => !word.startsWith("<"));
  console.log(own(target.defines).map((d) => `-D${d}`).join(" "));
  console.log(own(target.cflags_cc).filter((f) => !/^-O/.test(f)).join(" "));
' 2>/dev/null)
((${#gyp_words[@]} == 2)) || cannot_check "cannot read native/binding.gyp"

flags=(-fsyntax-only -nostdinc "${system_dirs[@]}" -I "$node_include" -I node_modules/node-addon-api)
for dir in ${torch_words[0]}; do flags+=(-I "$dir"); done
for define in ${torch_words[1]}; do flags+=("-D$define"); done
# shellcheck disable=SC2206 # words, as gyp passes them
flags+=(${torch_words[2]} ${gyp_words[0]} ${gyp_words[1]} -D_FILE_OFFSET_BITS=64)

version=$(sed -n 's/.*TORCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
  "$root/usr/include/torch/csrc/api/include/torch/version.h" | paste -sd.)
echo "check-libtorch2: libtorch $version headers ($(paste -sd' ' "$cache/packages"))"

# A file that compiled is not compiled again while it, native/*.h, the flags, the compiler,
# Node, node-addon-api and the packages are the same.
stamps=$cache/passed
mkdir -p "$stamps"
inputs=$(g++ --version; echo "node $node_version"; cat node_modules/node-addon-api/package.json "$cache/packages")
stamp_of() {
  { cat "$1" native/*.h; printf '%s\n' "$@" "$inputs"; } | sha256sum | cut -c1-32
}
failed=0
check() {
  local file=$1 label=$2
  shift 2
  local stamp
  stamp=$stamps/$(stamp_of "$file" "${flags[@]}" "$@")
  if ((!force)) && [[ -f "$stamp" ]]; then
    echo "ok   $label (unchanged since it passed)"
    return
  fi
  local errors
  if errors=$(g++ "${flags[@]}" "$@" "$file" 2>&1); then
    echo "ok   $label"
    : >"$stamp"
  else
    echo "FAIL $label"
    echo "$errors" | grep -v '^In file included from\|^ \+from ' | head -n 60
    failed=1
  fi
}
for file in native/*.cc; do check "$file" "$file"; done
# PyTorch's wheels ship no Gloo headers: their builds have NCCL alone.
check native/process_group.cc "native/process_group.cc without Gloo (as against a PyTorch wheel)" \
  -UUSE_C10D_GLOO -UPEMN_WITH_GLOO

# The NCCL group (a CUDA libtorch's) needs CUDA's and NCCL's headers, which a CPU machine
# lacks: say so rather than pass it.
nccl_header=$root/usr/include/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp
if [[ ! -f "$nccl_header" ]]; then
  echo "skip native/process_group.cc with NCCL: the trixie headers have no ProcessGroupNCCL.hpp"
elif ! echo '#include <cuda_runtime_api.h>
#include <nccl.h>' | g++ -xc++ -fsyntax-only "${flags[@]}" - >/dev/null 2>&1; then
  echo "skip native/process_group.cc with NCCL (-DUSE_C10D_NCCL -DPEMN_WITH_NCCL): ProcessGroupNCCL.hpp includes CUDA's and NCCL's headers (cuda_runtime_api.h, nccl.h), not installed here: not checked"
else
  check native/process_group.cc "native/process_group.cc with NCCL" -DUSE_C10D_NCCL -DPEMN_WITH_NCCL -DPEMN_WITH_CUDA
fi

if ((failed)); then
  echo "check-libtorch2: some files do not compile against libtorch $version" >&2
  exit 1
fi
echo "check-libtorch2: every native/*.cc compiles against libtorch $version"
