# Sourced by scripts/bench and scripts/test: installs the Debian 12 packages
# the build and tests need, only those missing (apt-get update only then).
# apt's output goes to a log (build/install.log, or a file in /tmp before
# build/ exists): one line when it works, the log's last 30 lines and a
# non-zero status when it does not.
HB_PACKAGES="build-essential cmake pkg-config git
  libjansson-dev
  libssl-dev openssl
  android-libboringssl-dev android-boringssl
  libgnutls28-dev nettle-dev
  libwolfssl-dev
  libmbedtls-dev
  libcurl4-openssl-dev
  libnghttp2-dev nghttp2-server nghttp2-client nginx
  python3 python3-jsonschema python3-yaml
  python3-matplotlib chromium
  iproute2 openssh-client openssh-server pdsh
  clang libclang-rt-14-dev clang-tidy cppcheck"

hb_install_deps() {
  local missing="" p n log
  for p in $HB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$missing (run as root to install)" >&2
    return 1
  fi
  if [ -d build ] && [ -w build ]; then
    log=build/install.log
  else
    log=$(mktemp /tmp/httpsbench-install.XXXXXX.log) || return 1
  fi
  # shellcheck disable=SC2086
  n=$(set -- $missing; echo $#)
  echo "installing $n Debian packages (log: $log)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! { echo "installing:$missing" &&
         apt-get update &&
         apt-get install -y --no-install-recommends $missing
       } >"$log" 2>&1 </dev/null; then
    echo "installing Debian packages failed; the last 30 lines of $log:" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
}
