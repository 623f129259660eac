"""What every command shares: bad usage as one line and exit status 2,
files written atomically (a temporary name, then rename)."""
import os
import sys
import tempfile


def usage_fail(cmd, msg):
    sys.stderr.write("httpsbench %s: %s (see httpsbench %s --help)\n"
                     % (cmd, msg, cmd))
    raise SystemExit(2)


def write_atomic(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                               dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def check_out_path(cmd, opt, path, is_dir=False):
    """Bad usage unless path can be written (its directory exists)."""
    target = path if is_dir else os.path.dirname(os.path.abspath(path))
    if is_dir and os.path.exists(path) and not os.path.isdir(path):
        usage_fail(cmd, "%s: '%s' exists and is not a directory"
                   % (opt, path))
    if not is_dir and os.path.isdir(path):
        usage_fail(cmd, "%s: '%s' is a directory" % (opt, path))
    parent = os.path.dirname(os.path.abspath(target)) if is_dir else target
    if not os.path.isdir(parent):
        usage_fail(cmd, "%s: directory '%s' does not exist" % (opt, parent))
