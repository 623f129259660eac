"""python3 -m hbreport report|compare|export ARGS (scripts/report etc.)."""
import sys


def main(argv):
    cmds = ("report", "compare", "export")
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write("hbreport: the first argument is one of %s\n"
                         % ", ".join(cmds))
        return 2
    if argv[1] == "report":
        from . import report as m
    elif argv[1] == "compare":
        from . import compare as m
    else:
        from . import export as m
    try:
        return m.main(argv[2:])
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
