"""What the Python test scripts share: the pass/fail tally, running a
command, validating a report against the schema.

    import hbtest
    from hbtest import check
    check(rc == 0, "exit %d" % rc)   # counts, prints FAIL: ... when false
    ...
    return hbtest.finish("load")    # "load: N passed, M failed", 1 or 0

The scripts run as `python3 tests/NAME.py`, so this module, beside them,
is on the import path."""
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATE = os.path.join(SRC, "scripts", "validate_report.py")


class Tally:
    """Counts of checks passed and failed."""

    def __init__(self):
        self.passed = 0
        self.failed = 0


tally = Tally()


def check(cond, what):
    """Counts one check; prints "FAIL: what" when cond is false. Returns
    cond, so a later check can depend on it."""
    if cond:
        tally.passed += 1
    else:
        tally.failed += 1
        print("FAIL: %s" % what, flush=True)
    return cond


def run(argv, timeout=300, text=True, stdin=None):
    """(exit status, stdout, stderr) of argv."""
    p = subprocess.run(list(argv), capture_output=True, text=text,
                       timeout=timeout, stdin=stdin)
    return p.returncode, p.stdout, p.stderr


def validate(path):
    """(exit status, output) of scripts/validate_report.py on path."""
    rc, so, se = run([sys.executable, VALIDATE, path], timeout=120)
    return rc, so + se


def finish(name=None):
    """Prints the tally ("NAME: N passed, M failed") and returns the exit
    status: 1 when a check failed, else 0."""
    print("%s%d passed, %d failed" % (name + ": " if name else "",
                                      tally.passed, tally.failed))
    return 1 if tally.failed else 0
