"""The Mann-Whitney U test (Wilcoxon rank-sum), two-sided.

Ranks of the pooled samples, ties getting the mean of the ranks they span.
U of the first sample = its rank sum - n1 (n1 + 1) / 2.

p-value:
- exact when there are no ties and n1 + n2 <= EXACT_MAX: the null
  distribution of the rank sum is counted over every way of choosing n1
  ranks out of n1 + n2 (a subset-sum count), and p = 2 min(P(U <= u),
  P(U >= u)), capped at 1;
- otherwise the normal approximation with the tie correction of the
  variance, sigma^2 = n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1)))
  for tie groups of size t, and a continuity correction of 1/2.

The smallest p an exact test can give is 2 / C(n1 + n2, n1): with 3
repetitions against 3 that is 0.1, so no difference can be significant
at 5%; 5 against 5 reaches 0.008. smallest_p() says so to callers.
"""
import math

EXACT_MAX = 40


def ranks(values):
    """Mid-ranks (1-based) of values, and the sizes of the tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == \
                values[order[i]]:
            j += 1
        mid = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            out[order[k]] = mid
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return out, ties


def _rank_sum_counts(n1, n):
    """counts[s] = number of n1-subsets of ranks 1..n summing to s."""
    smax = n1 * (2 * n - n1 + 1) // 2
    # c[k][s]: subsets of size k of the ranks seen so far, sum s
    c = [[0] * (smax + 1) for _ in range(n1 + 1)]
    c[0][0] = 1
    for r in range(1, n + 1):
        for k in range(min(r, n1), 0, -1):
            row, prev = c[k], c[k - 1]
            for s in range(smax, r - 1, -1):
                if prev[s - r]:
                    row[s] += prev[s - r]
    return c[n1]


def _exact_p(u, n1, n2):
    counts = _rank_sum_counts(n1, n1 + n2)
    base = n1 * (n1 + 1) // 2
    total = float(sum(counts))
    lo = sum(counts[s] for s in range(len(counts)) if s - base <= u + 1e-9)
    hi = sum(counts[s] for s in range(len(counts)) if s - base >= u - 1e-9)
    return min(1.0, 2 * min(lo, hi) / total)


def mann_whitney(x, y):
    """(U of x, two-sided p, method) or None when a side is empty."""
    x = [v for v in x if isinstance(v, (int, float)) and math.isfinite(v)]
    y = [v for v in y if isinstance(v, (int, float)) and math.isfinite(v)]
    n1, n2 = len(x), len(y)
    if not n1 or not n2:
        return None
    r, ties = ranks(x + y)
    u = sum(r[:n1]) - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    if not ties and n <= EXACT_MAX:
        return u, _exact_p(u, n1, n2), "exact"
    mu = n1 * n2 / 2.0
    tie_term = sum(t ** 3 - t for t in ties) / float(n * (n - 1))
    var = n1 * n2 / 12.0 * ((n + 1) - tie_term)
    if var <= 0:
        return u, 1.0, "normal"
    z = max(0.0, abs(u - mu) - 0.5) / math.sqrt(var)
    return u, min(1.0, math.erfc(z / math.sqrt(2))), "normal"


def smallest_p(n1, n2):
    """The smallest two-sided exact p for these sample sizes."""
    if not n1 or not n2:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))
