#!/usr/bin/env python3
"""The AUC of the generating model on the time split `pipelint history calibrate` uses.

    python3 bench/calib_truth.py DIR/truth.csv [--json]

reads bench/gen_history.py's truth.csv (id,closed_as_of,p_lost,lost), orders the closed deals
by (closed_as_of, id compared as bytes), takes the first floor(0.7 n) as the training set and
the rest as the test set, and prints n, the two sets' sizes and losses, and the AUC of the
true p_lost on the test set (and, for reference, on the training set): the best AUC any
fitted weights can expect there. AUC is the Mann-Whitney statistic (a lost deal against a won
one: 1 when the lost one has the higher p_lost, 1/2 on a tie), from average ranks: O(n log n).
"""
import argparse
import csv
import json
import sys


def auc(pairs):
    """AUC of scores for labels, from (score, label) pairs; None without both classes."""
    pos = sum(1 for _, y in pairs if y)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return None
    ordered = sorted(pairs, key=lambda p: p[0])
    rank_sum = 0.0   # the sum of the positives' (1-based, tie-averaged) ranks
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mid = (i + 1 + j) / 2       # the average of ranks i+1 .. j
        rank_sum += mid * sum(1 for _, y in ordered[i:j] if y)
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("truth", help="truth.csv from bench/gen_history.py")
    ap.add_argument("--json", action="store_true", help="one JSON object instead of text")
    a = ap.parse_args()
    deals = []
    with open(a.truth, newline="") as f:
        for r in csv.DictReader(f):
            deals.append((r["closed_as_of"], r["id"].encode(), float(r["p_lost"]),
                          r["lost"] == "1"))
    deals.sort(key=lambda d: (d[0], d[1]))
    n = len(deals)
    n_train = (7 * n) // 10
    train, test = deals[:n_train], deals[n_train:]
    out = {
        "closed_deals": n,
        "train": {"deals": len(train), "lost": sum(d[3] for d in train),
                  "from": train[0][0] if train else None, "to": train[-1][0] if train else None},
        "test": {"deals": len(test), "lost": sum(d[3] for d in test),
                 "from": test[0][0] if test else None, "to": test[-1][0] if test else None},
        "auc_test": auc([(d[2], d[3]) for d in test]),
        "auc_train": auc([(d[2], d[3]) for d in train]),
        "loss_rate": sum(d[3] for d in deals) / n if n else None,
    }
    if a.json:
        json.dump(out, sys.stdout)
        print()
        return
    fmt = lambda x: "n/a" if x is None else f"{x:.4f}"
    print(f"closed deals {n}: loss rate {100 * out['loss_rate']:.1f}%" if n else "closed deals 0")
    for name in ("train", "test"):
        s = out[name]
        print(f"{name:5} {s['deals']:7d} deals, {s['lost']:6d} lost  (closed {s['from']} .. {s['to']})")
    print(f"AUC of the generating model: test {fmt(out['auc_test'])}, train {fmt(out['auc_train'])}")


if __name__ == "__main__":
    main()
