# Sourced by scripts: sets HB_PYTHON to an interpreter that can import the
# modules named in HB_PY_MODULES (default: jsonschema). The python3 first on
# PATH may be a separate install without Debian's python3-* packages, so
# Debian's own interpreter is tried first.
hb_find_python() {
  local mods=${HB_PY_MODULES:-jsonschema} py
  for py in /usr/bin/python3 python3 python; do
    command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c "import ${mods// /,}" >/dev/null 2>&1; then
      HB_PYTHON=$(command -v "$py")
      return 0
    fi
  done
  return 1
}
