# Sourced by scripts/bench and scripts/test: installs the Debian 12 packages
# the build and tests need, only those missing (apt-get update only then).
HB_PACKAGES="build-essential cmake pkg-config git
  libjansson-dev
  libssl-dev openssl
  android-libboringssl-dev android-boringssl
  libgnutls28-dev nettle-dev
  libwolfssl-dev
  libmbedtls-dev
  libcurl4-openssl-dev
  python3 python3-jsonschema
  python3-matplotlib chromium"

hb_install_deps() {
  local missing="" p
  for p in $HB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$missing (run as root to install)" >&2
    return 1
  fi
  echo "installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 &&
    apt-get install -y -qq --no-install-recommends $missing >&2 </dev/null
}
