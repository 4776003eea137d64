#!/usr/bin/env python3
"""Times Murmur's PLD accountant against Google's dp_accounting on a grid of regimes.

For every (z, q, T, delta) on the grid it computes epsilon of T runs of a Poisson-sampled Gaussian
(q = 1: unsampled) under add/remove with

  * dp_accounting's `PLDAccountant` (default discretisation 1e-4, connect-the-dots), in a child
    process bounded by --timeout seconds, timing `compose` + `get_epsilon` only (not the import);
  * `murmur privacy epsilon ... --accountant pld --json`, reading the seconds it reports for the
    same work (the accountant only, not process start).

(median of 3 runs for Murmur, and for dp_accounting when a call takes under 2 s), and prints per
point both epsilons, their relative difference, both times and the ratio, then the
worst and median ratio and Murmur's largest time.

Set up (a throw-away venv; Python is only for benchmarks in this project):

    python3 -m venv /tmp/dpvenv && /tmp/dpvenv/bin/pip install dp-accounting
    swift build -c release --product murmur
    /tmp/dpvenv/bin/python Benchmarks/privacy/pld_grid.py --murmur .build/release/murmur

A dp_accounting call that passes --timeout is reported as "> timeout" and its ratio as a lower bound.
"""

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys

DP_CHILD = r"""
import sys, time
import dp_accounting
from dp_accounting.pld import pld_privacy_accountant
z, q, T, delta = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
start = time.perf_counter()
accountant = pld_privacy_accountant.PLDAccountant()
event = dp_accounting.GaussianDpEvent(z)
if q < 1:
    event = dp_accounting.PoissonSampledDpEvent(q, event)
accountant.compose(dp_accounting.SelfComposedDpEvent(event, T))
epsilon = accountant.get_epsilon(delta)
print(repr(epsilon), time.perf_counter() - start)
"""

GRIDS = {
    # 3 noise multipliers × 4 sampling rates × 3 step counts × 2 deltas: the corners of the box
    # (z ∈ [0.5, 5], q ∈ [1e-4, 1], T ∈ [1, 1e4], δ ∈ [1e-8, 1e-5]) and points inside it.
    "full": dict(z=[0.5, 1.5, 5.0], q=[1e-4, 1e-2, 0.3, 1.0], T=[1, 100, 10000], delta=[1e-8, 1e-5]),
    "quick": dict(z=[0.5, 5.0], q=[1e-4, 0.3, 1.0], T=[1, 10000], delta=[1e-8, 1e-5]),
}


def dp_accounting_point(python, z, q, T, delta, timeout):
    """epsilon and seconds; a call under 2 s is repeated twice more and the median time kept."""
    times = []
    try:
        while True:
            out = subprocess.run([python, "-c", DP_CHILD, str(z), str(q), str(T), str(delta)],
                                 capture_output=True, text=True, timeout=timeout, check=True).stdout.split()
            times.append(float(out[1]))
            if len(times) == 3 or times[0] >= 2:
                return float(out[0]), statistics.median(times)
    except subprocess.TimeoutExpired:
        return None, None


def murmur_point(murmur, z, q, T, delta, repeats=3):
    """epsilon and the median of `repeats` runs' seconds (each a fresh process, as a user runs it)."""
    times = []
    for _ in range(repeats):
        out = subprocess.run([murmur, "privacy", "epsilon", "--noise", str(z), "--rate", str(q), "--steps", str(T),
                              "--delta", str(delta), "--accountant", "pld", "--json"],
                             capture_output=True, text=True, check=True).stdout
        line = json.loads(out.strip().splitlines()[-1])
        times.append(float(line["seconds"]))
    return float(line["epsilon"]), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--murmur", default=".build/release/murmur", help="the murmur executable")
    parser.add_argument("--python", default=sys.executable, help="a Python with dp_accounting installed")
    parser.add_argument("--grid", choices=sorted(GRIDS), default="full")
    parser.add_argument("--timeout", type=float, default=90, help="seconds allowed per dp_accounting call")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--reuse-dp", help="take dp_accounting's epsilons and times from an earlier --json file "
                                           "(they do not change when Murmur does)")
    args = parser.parse_args()
    earlier = {}
    if args.reuse_dp:
        with open(args.reuse_dp) as f:
            for r in json.load(f):
                earlier[(r["z"], r["q"], r["T"], r["delta"])] = (r["epsilonDPAccounting"], r["secondsDPAccounting"])

    grid = GRIDS[args.grid]
    rows = []
    header = f"{'z':>5} {'q':>7} {'T':>6} {'delta':>6} | {'eps dp_accounting':>18} {'eps murmur':>18} {'rel diff':>9} | " \
             f"{'dp s':>8} {'murmur s':>9} {'ratio':>8}"
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2-core machine; times are inflated under load, ratios less so)")
    print(header)
    print("-" * len(header))
    for z, q, T, delta in itertools.product(grid["z"], grid["q"], grid["T"], grid["delta"]):
        eps_m, sec_m = murmur_point(args.murmur, z, q, T, delta)
        if (z, q, T, delta) in earlier:
            eps_d, sec_d = earlier[(z, q, T, delta)]
        else:
            eps_d, sec_d = dp_accounting_point(args.python, z, q, T, delta, args.timeout)
        timed_out = eps_d is None
        if timed_out:
            sec_d = args.timeout
        rel = None if timed_out else (eps_m - eps_d) / max(abs(eps_d), 1e-300)
        ratio = sec_d / max(sec_m, 1e-9)
        rows.append(dict(z=z, q=q, T=T, delta=delta, epsilonDPAccounting=eps_d, epsilonMurmur=eps_m,
                         relativeDifference=rel, secondsDPAccounting=sec_d, secondsMurmur=sec_m, ratio=ratio,
                         dpAccountingTimedOut=timed_out))
        eps_d_text = f"> {args.timeout:.0f} s" if timed_out else f"{eps_d:.10g}"
        rel_text = "" if rel is None else f"{rel:+.1e}"
        print(f"{z:>5g} {q:>7g} {T:>6d} {delta:>6g} | {eps_d_text:>18} {eps_m:>18.10g} {rel_text:>9} | "
              f"{('>' if timed_out else '') + format(sec_d, '.4g'):>8} {sec_m:>9.4g} {('≥' if timed_out else '') + format(ratio, '.3g'):>8}",
              flush=True)

    ratios = [r["ratio"] for r in rows]
    diffs = [abs(r["relativeDifference"]) for r in rows if r["relativeDifference"] is not None]
    slowest = max(rows, key=lambda r: r["secondsMurmur"])
    worst = min(rows, key=lambda r: r["ratio"])
    print()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"points: {len(rows)} ({sum(r['dpAccountingTimedOut'] for r in rows)} dp_accounting calls passed {args.timeout:.0f} s)")
    print(f"murmur max seconds: {slowest['secondsMurmur']:.4g} (z={slowest['z']}, q={slowest['q']}, T={slowest['T']}, δ={slowest['delta']})")
    print(f"ratio dp_accounting / murmur: min {worst['ratio']:.3g} (z={worst['z']}, q={worst['q']}, T={worst['T']}, "
          f"δ={worst['delta']}), median {statistics.median(ratios):.3g}; "
          f"≥ 10× at {sum(1 for r in ratios if r >= 10)} of {len(rows)} points; "
          f"murmur under 1 s at {sum(1 for r in rows if r['secondsMurmur'] < 1)} of {len(rows)}")
    if diffs:
        print(f"|relative ε difference|: max {max(diffs):.2e}, median {statistics.median(diffs):.2e}; "
              f"murmur ≥ dp_accounting at {sum(1 for r in rows if r['relativeDifference'] is not None and r['relativeDifference'] >= -1e-9)}"
              f" of {len(diffs)} points")
    compared = [r for r in rows if r["epsilonDPAccounting"] is not None]
    same = sum(1 for r in compared if f"{r['epsilonDPAccounting']:.6g}" == f"{r['epsilonMurmur']:.6g}")
    print(f"ε printed to 6 significant digits: the same as dp_accounting's at {same} of {len(compared)} points")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
