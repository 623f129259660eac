"""What every figure shares: the headless backend, colours per backend,
the footer (commit, CPU, library versions) and rendering to SVG and PNG
reproducibly (no dates, ids salted with the figure's name)."""
import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogFormatter  # noqa: E402

from .findings import lib_version  # noqa: E402

BACKEND_COLORS = {
    "plain": "#444444", "openssl": "#1f77b4", "boringssl": "#ff7f0e",
    "gnutls": "#2ca02c", "wolfssl": "#d62728", "mbedtls": "#9467bd",
    "curl": "#8c564b",
}
EXTRA_COLORS = ["#17becf", "#bcbd22", "#e377c2", "#7f7f7f"]

plt.rcParams.update({
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "legend.fontsize": 8, "svg.fonttype": "none",
    "font.family": "DejaVu Sans", "axes.grid": True, "grid.alpha": 0.3,
})


class Figure:
    """A rendered figure: key (file name stem), title, caption, svg text,
    png bytes."""

    def __init__(self, key, title, caption, svg, png):
        self.key = key
        self.title = title
        self.caption = caption
        self.svg = svg
        self.png = png


def _shade(hexcolor, k):
    """hexcolor mixed toward black (k < 0) or white (k > 0) by |k|."""
    rgb = [int(hexcolor[i:i + 2], 16) for i in (1, 3, 5)]
    end = 255 if k > 0 else 0
    return "#" + "".join("%02x" % round(c + (end - c) * abs(k))
                         for c in rgb)


def color(backend):
    """A colour per backend; a library set built apart (openssl-3.5,
    wolfssl-5.7) gets a shade of its library's colour, told apart from
    Debian's build and from other sets by its version."""
    if backend in BACKEND_COLORS:
        return BACKEND_COLORS[backend]
    family = backend.split("-")[0].split("@")[0]
    if family in BACKEND_COLORS:
        shades = (-0.35, -0.55)  # darker: "n/a" stays readable
        return _shade(BACKEND_COLORS[family],
                      shades[sum(map(ord, backend)) % len(shades)])
    return EXTRA_COLORS[sum(map(ord, backend)) % len(EXTRA_COLORS)]


def footer_text(rep, width_in=10.0):
    vers = "; ".join(lib_version(b, v) for b, v in rep.versions().items())
    text = "httpsbench %s, commit %s, %s, %s | %s" % (
        rep.tool.get("version", "?"), rep.commit(),
        rep.env.get("cpu_model", "unknown CPU"),
        rep.doc["run"].get("start") or "", vers)
    # about 19 characters of 6.5 pt text per inch
    return textwrap.wrap(text, max(60, int(width_in * 19)))


def new_figure(width, height):
    # room for the title, a legend and the footer whatever the content
    return plt.figure(figsize=(width, max(3.0, height)))


def finish(fig, rep, key, title, caption):
    """Footer, layout, render, close: a Figure."""
    w, h = fig.get_size_inches()
    lines = footer_text(rep, w)
    foot = (0.15 + 0.13 * len(lines)) / h
    # title and legend at fixed distances from the top, in inches
    fig.suptitle(title, fontsize=11, fontweight="bold", y=1 - 0.06 / h,
                 va="top")
    fig.text(0.005, 0.005, "\n".join(lines), fontsize=6.5, color="#555555",
             va="bottom", ha="left")
    top = 0.65 if fig.legends else 0.35
    fig.tight_layout(rect=(0, foot, 1, 1 - top / h))
    plt.rcParams["svg.hashsalt"] = key
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None})
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100,
                metadata={"Software": "httpsbench report (matplotlib)"})
    plt.close(fig)
    return Figure(key, title, caption, svg.getvalue().decode("utf-8"),
                  png.getvalue())


def _compact(x, count):
    """2e4 -> '20 k' for counts, '20000' otherwise; 0.25 -> '0.25'."""
    if count:
        for div, p in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(x) >= div:
                return "%g %s" % (float("%.3g" % (x / div)), p)
    return "%g" % float("%.3g" % x)


class _LogFormatter(LogFormatter):
    """Log-axis labels as plain numbers (no 10^n), counts with k and M."""

    def __init__(self, count, **kw):
        LogFormatter.__init__(self, **kw)
        self._count = count

    def _num_to_string(self, x, vmin, vmax):
        return _compact(x, self._count)


def plain_axis(ax, which="y", count=False):
    """Tick labels of a log or linear axis as plain numbers ('0.5',
    '200', '1000'), or for counts (requests/s, operations/s) with k and
    M ('20 k', '1 M'), never in powers of ten."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    if axis.get_scale() == "log":
        axis.set_major_formatter(_LogFormatter(count, labelOnlyBase=False))
        axis.set_minor_formatter(_LogFormatter(count, labelOnlyBase=False,
                                               minor_thresholds=(2, 0.5)))
    else:
        axis.set_major_formatter(FuncFormatter(
            lambda x, pos: _compact(x, count)))


def bytes_label(n):
    """16 -> '16', 1350 -> '1350', 16384 -> '16 KiB', 0 -> '0'."""
    n = int(n)
    for div, unit in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= div and n % div == 0:
            return "%d %s" % (n // div, unit)
    return str(n)


def errbars(values, lows, highs):
    """Asymmetric error bar lengths; missing bounds give zero length."""
    lo, hi = [], []
    for v, a, b in zip(values, lows, highs):
        ok = v is not None
        lo.append(max(0.0, v - a) if ok and a is not None else 0.0)
        hi.append(max(0.0, b - v) if ok and b is not None else 0.0)
    return [lo, hi]


def hbars(ax, cats, series, log=False, value_fmt=None):
    """Grouped horizontal bars: cats (top to bottom), series = [(backend,
    {cat: (value, low, high) or None})]. Missing values get 'n/a'."""
    n = max(1, len(series))
    height = 0.8 / n
    ys = list(range(len(cats)))
    for i, (backend, vals) in enumerate(series):
        pos, v, lo, hi = [], [], [], []
        for y, c in zip(ys, cats):
            t = vals.get(c)
            off = y - 0.4 + height * (i + 0.5)
            if not t or t[0] is None or (log and t[0] <= 0):
                ax.text(0.005, off, "n/a", transform=ax.get_yaxis_transform(),
                        fontsize=6, va="center", color=color(backend))
                continue
            pos.append(off)
            v.append(t[0])
            lo.append(t[1])
            hi.append(t[2])
        if v:
            ax.barh(pos, v, height=height * 0.9, color=color(backend),
                    label=backend, xerr=errbars(v, lo, hi),
                    error_kw={"elinewidth": 0.8, "capsize": 1.5,
                              "ecolor": "#222222"})
            if value_fmt:
                for p, val in zip(pos, v):
                    ax.text(val, p, " " + value_fmt(val), fontsize=6,
                            va="center")
    ax.set_yticks(ys)
    ax.set_yticklabels(cats)
    ax.set_ylim(len(cats) - 0.5, -0.5)
    if log:
        ax.set_xscale("log")
    ax.grid(axis="y", visible=False)
    from matplotlib.patches import Patch
    return [Patch(color=color(b), label=b) for b, _ in series]


def legend(fig, backends, styles=(), patches=(), whisker=None,
           markers=()):
    """One legend for the figure, under its title: a colour per backend,
    the line styles [(linestyle, label)], filled boxes [(colour, label)],
    point markers [(marker, label)] and what the whiskers are ("75.0% CI
    of the median": the coverage achieved, not a nominal 95%).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Line2D([], [], color=color(b), lw=2, label=b,
                      ls="--" if b == "plain" else "-")
               for b in backends]
    handles += [Patch(color=c, label=lab) for c, lab in patches]
    handles += [Line2D([], [], color="#333333", ls=ls, lw=1.2, label=lab)
                for ls, lab in styles]
    handles += [Line2D([], [], color="#333333", ls="none", marker=mk,
                       ms=6, label=lab) for mk, lab in markers]
    if whisker:
        handles.append(Line2D([], [], color="#333333", ls="none",
                              marker="|", ms=9, label="whiskers: " + whisker))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles),
               bbox_to_anchor=(0.5, 1 - 0.32 / fig.get_size_inches()[1]),
               frameon=False)
