#!/usr/bin/env python3
"""Write next week's snapshot of a pipeline export: a seeded share of its rows edited the way
a week edits a CRM (close dates pushed, amounts cut or raised, deals won or lost, deals
removed, new deals added), and a log of exactly what was done, to check `pipelint audit NEW
--previous OLD` (or `diff OLD NEW`) against.

It reads any CSV whose header names the columns given by --id, --close, --amount and
--stage (defaults: the Salesforce report labels that ../shared/bench/gen_opps.py writes, or
--snake for this script's own snake_case export), and writes the same header and dialect.

Usage:
  bench/edit_snapshot.py OLD.csv NEW.csv --seed 7 [--log LOG.json] [--share 0.1]
  bench/edit_snapshot.py --make-series DIR --rows 300 --seed 7   # a snake_case series of two
                                                                  # weeks written from scratch
"""
import argparse, csv, datetime, json, random, sys

SNAKE = dict(id="deal_id", close="expected_close", amount="deal_value", stage="pipeline_stage")
SALESFORCE = dict(id="Opportunity ID", close="Close Date", amount="Amount", stage="Stage")
# The stages of the snake_case tool, in pipeline order, and its closed stages.
SNAKE_STAGES = ["discovery", "solution_fit", "business_case", "contracting"]
WON, LOST = "closed_won", "closed_lost"


def parse_date(s):
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.datetime.strptime(s.strip(), fmt).date(), fmt
        except ValueError:
            pass
    return None, None


def parse_amount(s):
    t = s.replace("$", "").replace(",", "").replace("USD", "").replace("EUR", "").strip()
    try:
        return float(t)
    except ValueError:
        return None


def is_closed(stage):
    s = stage.lower()
    return "closed" in s or s in ("won", "lost")


def edit(rows, cols, rng, share, won_stage, lost_stage, new_id):
    """Edit rows in place order; returns the new rows and the log."""
    log = dict(pushed=[], won=[], lost=[], removed=[], cut=[], raised=[], new=[])
    out = []
    for r in rows:
        stage = r[cols["stage"]]
        if is_closed(stage) or rng.random() >= share:
            out.append(r)
            continue
        what = rng.choice(["push", "push", "cut", "raise", "won", "lost", "remove"])
        rid = r[cols["id"]]
        if what == "remove":
            log["removed"].append(rid)
            continue
        r = dict(r)
        if what == "push":
            d, fmt = parse_date(r[cols["close"]])
            if d is None:
                out.append(r)
                continue
            r[cols["close"]] = (d + datetime.timedelta(days=rng.randint(7, 60))).strftime(fmt)
            log["pushed"].append(rid)
        elif what in ("cut", "raise"):
            a = parse_amount(r[cols["amount"]])
            if a is None or a <= 0:
                out.append(r)
                continue
            factor = rng.uniform(0.3, 0.7) if what == "cut" else rng.uniform(1.1, 1.5)
            r[cols["amount"]] = f"{round(a * factor, 2):.2f}"
            log["cut" if what == "cut" else "raised"].append(rid)
        elif what == "won":
            r[cols["stage"]] = won_stage
            log["won"].append(rid)
        else:
            r[cols["stage"]] = lost_stage
            log["lost"].append(rid)
        out.append(r)
    # New deals: copies of random open rows under fresh ids, at the end.
    open_rows = [r for r in rows if not is_closed(r[cols["stage"]])]
    for i in range(int(len(rows) * share / 4) if open_rows else 0):
        r = dict(rng.choice(open_rows))
        r[cols["id"]] = new_id(i)
        log["new"].append(r[cols["id"]])
        out.append(r)
    return out, log


def make_series(directory, rows, seed):
    """Two weekly snapshots of a made-up snake_case CRM, and the log of the second week."""
    rng = random.Random(seed)
    reps = ["Ana Souza", "Bo Lindqvist", "Chidi Okeke", "Dee Park"]
    header = ["deal_id", "deal_name", "company", "rep", "pipeline_stage", "deal_value",
              "currency_code", "expected_close", "created_on", "last_touch", "next_action"]
    week1 = []
    for i in range(rows):
        stage = rng.choice(SNAKE_STAGES * 3 + [WON, LOST])
        close = datetime.date(2026, 11, 20) + datetime.timedelta(days=rng.randint(-10, 120))
        week1.append(dict(
            deal_id=f"D-{10000 + i}", deal_name=f"Deal {i} - {rng.choice(['Renewal', 'Expansion', 'Pilot', 'Platform'])}",
            company=f"Company {i % 97}", rep=rng.choice(reps), pipeline_stage=stage,
            deal_value=f"{rng.randint(5, 400) * 500}.00", currency_code="USD",
            expected_close=close.isoformat(), created_on="2026-06-01",
            last_touch="2026-11-10", next_action="call back"))
    cols = SNAKE
    week2, log = edit(week1, cols, rng, 0.25, WON, LOST, lambda i: f"D-{90000 + i}")
    for name, data in (("week_2026-11-13.csv", week1), ("week_2026-11-20.csv", week2)):
        with open(f"{directory}/{name}", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
            w.writeheader()
            w.writerows(data)
    with open(f"{directory}/log.json", "w") as f:
        json.dump(log, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", nargs="?")
    p.add_argument("new", nargs="?")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--share", type=float, default=0.1, help="share of open rows edited")
    p.add_argument("--log")
    p.add_argument("--snake", action="store_true", help="the snake_case columns")
    p.add_argument("--make-series")
    p.add_argument("--rows", type=int, default=300)
    a = p.parse_args()
    if a.make_series:
        make_series(a.make_series, a.rows, a.seed)
        return
    if not (a.old and a.new):
        p.error("OLD and NEW are required")
    cols = SNAKE if a.snake else SALESFORCE
    won, lost = (WON, LOST) if a.snake else ("Closed Won", "Closed Lost")
    rng = random.Random(a.seed)
    with open(a.old, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    missing = [c for c in cols.values() if c not in header]
    if missing:
        sys.exit(f"{a.old}: no column {missing}")
    new_rows, log = edit(rows, cols, rng, a.share, won, lost, lambda i: f"006NEW{i:012d}")
    with open(a.new, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writeheader()
        w.writerows(new_rows)
    if a.log:
        with open(a.log, "w") as f:
            json.dump({k: len(v) for k, v in log.items()}, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
