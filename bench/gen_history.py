#!/usr/bin/env python3
"""Seeded weekly CRM snapshots whose losses follow a stated model of pipelint's graded risk
signals, for checking `pipelint history calibrate` against the truth (bench/calibrate.sh).

    python3 bench/gen_history.py --weeks 26 --deals 20000 --seed 7 --out DIR

writes DIR/week01_YYYY-MM-DD.csv ... weekNN_YYYY-MM-DD.csv (one as-of every 7 days from
--start, 2026-03-06 by default) and DIR/truth.csv. The rules to audit them with are
bench/calibrate_rules.toml; its stages, max_days, probabilities and [risk] limits are the
ones below.

THE TRUTH MODEL. When a deal closes between snapshot k-1 and snapshot k (it is open in k-1
and shows Closed Won / Closed Lost in k), it is lost with probability

    P(lost) = sigmoid(B0 + sum over signals s of BETA[s] * g_s)

where g_s is the grade of signal s of the deal's row in snapshot k-1, as of k-1's as-of:
0 when s does not fire, else 1 + f_s with f_s in [0, 1]:

  overdue            close date d >= 1 days before as-of:          f = min(d, 90) / 90
  stale              d days since last activity, d > t = 14:       f = min(d - t, 3t) / 3t
                     (no last activity recorded at all: stale, f = 0)
  stage_aged         d = as-of - stage change date > the stage's max_days t:
                                                                   f = min(d - t, 3t) / 3t
  exit_criteria      n >= 1 of the stage's `requires` empty:       f = (min(n, 4) - 1) / 3
  forecast_mismatch  |probability - stage's| = D points > 20:      f = min(D - 20, 60) / 60
  no_next_step       next step empty:                              f = 0
  pushed             push count n >= 1:                            f = (min(n, 4) - 1) / 3
  no_close_date      close date empty (overdue cannot fire then):  f = 0

B0 and BETA are below: no_next_step is the strongest signal, forecast_mismatch has weight 0
(pipelint's default weights score it; here it predicts nothing), and `slipping` is not in
the model (a deal pushed twice carries it too; its true weight is 0). Which deals close
(about 5% of open deals a week, more in later stages) does not depend on the signals.

Each week every open deal evolves: activity is logged or not (each deal has its own
engagement, which also makes a missing next step likelier on an idle deal), the stage
advances now and then (its stage change date moves to that day and its probability is
usually the new stage's), the next step is filled or emptied, a close date is pushed later
(always with the push count incremented, so pipelint's stored-history push detection and
the column agree), a missing close date is filled, required fields get filled. A closed
deal is shown in the snapshot where it first appears closed and the one after, then
dropped; new deals keep each snapshot at --deals rows. The state before the first written
snapshot comes from --burn-in unwritten weeks, so week 1 already has aged, pushed and
closed deals; deals that closed before week 2 were never seen open and are not in truth.

truth.csv: id,closed_as_of,p_lost,lost: one row per deal seen open in a written snapshot
and closed in a later one (closed_as_of: the first snapshot showing it closed; p_lost: the
model's probability, from its row in the snapshot before; lost: the draw, 1 or 0).

Deterministic for a seed: one random.Random(seed), deals kept in lists in id order.
"""
import argparse
import csv
import datetime
import math
import os
import random
import sys

# ---- the truth model -------------------------------------------------------------------
B0 = -2.2
BETA = {
    "overdue": 0.8,
    "stale": 0.6,
    "stage_aged": 0.4,
    "exit_criteria": 0.7,
    "forecast_mismatch": 0.0,
    "no_next_step": 1.6,
    "pushed": 0.5,
    "no_close_date": 0.6,
}
SIGNALS = ["overdue", "stale", "stage_aged", "exit_criteria", "forecast_mismatch",
           "no_next_step", "pushed", "no_close_date"]

# ---- the pipeline (must match bench/calibrate_rules.toml) -------------------------------
STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation"]
STAGE_PROB = [10, 20, 50, 75]
MAX_DAYS = [30, 30, 21, 21]
# The fields each stage requires, by the generator's own names.
REQUIRES = [[], ["amount"], ["dm", "budget"], ["dm", "budget", "amount"]]
STALE_DAYS = 14
TOLERANCE = 20
WON, LOST = "Closed Won", "Closed Lost"

# ---- the dynamics (per week) -----------------------------------------------------------
CLOSE_HAZARD = [0.035, 0.045, 0.065, 0.09]   # by stage
ADVANCE = [0.12, 0.10, 0.09]                 # to the next stage
ENGAGEMENT = [0.9, 0.75, 0.5, 0.25, 0.08]    # weekly chance of logged activity, per deal

HEADER = ["Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner", "Stage",
          "Amount", "Probability (%)", "Close Date", "Created Date", "Last Activity",
          "Last Stage Change Date", "Next Step", "Push Count", "Decision Maker",
          "Budget Confirmed"]
NEXT_STEPS = ["Demo with IT", "Send proposal", "Pricing review", "Security questionnaire",
              "Reference call with a customer", "Legal redlines", "Onsite workshop",
              "Technical deep dive", "Budget review with the CFO", "Draft order form",
              "Procurement kickoff", "Executive sponsor meeting"]
PRODUCTS = ["Platform", "Analytics", "Renewal", "Expansion", "Pilot", "Add-on", "Migration",
            "Support Plan", "Data Suite", "Starter"]
FIRST = ["Ann", "Bo", "Cy", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lea",
         "Max", "Nia", "Oli", "Pia", "Quin", "Rui", "Sam", "Tess"]
LAST = ["Lee", "Chen", "Diaz", "Whitfield", "Okafor", "Novak", "Moreau", "Sato", "Berg",
        "Costa", "Haddad", "Ivanova", "Jensen", "Kowal", "Lund", "Mehta"]
TITLES = ["CFO", "CIO", "VP Sales", "Head of IT", "COO", "Procurement Lead"]
ACCT_A = ["Acme", "Bolt", "Cargo", "Delta", "Echo", "Fox", "Gull", "Hawk", "Iris", "Juno",
          "Kite", "Lumen", "Mesa", "Nova", "Orca", "Pike", "Quartz", "Reef", "Sage", "Tern"]
ACCT_B = ["Labs", "Systems", "Foods", "Logistics", "Health", "Energy", "Retail", "Bank",
          "Media", "Works", "Motors", "Pharma", "Capital", "Telecom", "Foundry"]


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


class Deal:
    __slots__ = ("id", "name", "account", "owner", "stage", "amount", "prob", "close",
                 "created", "activity", "changed", "next_step", "pushes", "dm", "budget",
                 "engage", "outcome", "closed_at")


def grades(d, as_of):
    """The graded signals of open deal d's row as of the day number as_of (the model)."""
    g = {}
    if d.close is None:
        g["no_close_date"] = 1.0
    elif d.close < as_of:
        g["overdue"] = 1 + min(as_of - d.close, 90) / 90
    t = STALE_DAYS
    if d.activity is None:
        g["stale"] = 1.0
    elif as_of - d.activity > t:
        g["stale"] = 1 + min(as_of - d.activity - t, 3 * t) / (3 * t)
    t = MAX_DAYS[d.stage]
    days = as_of - d.changed
    if days > t:
        g["stage_aged"] = 1 + min(days - t, 3 * t) / (3 * t)
    n = sum(1 for f in REQUIRES[d.stage] if not getattr(d, f))
    if n >= 1:
        g["exit_criteria"] = 1 + (min(n, 4) - 1) / 3
    delta = abs(d.prob - STAGE_PROB[d.stage])
    if delta > TOLERANCE:
        g["forecast_mismatch"] = 1 + min(delta - TOLERANCE, 3 * TOLERANCE) / (3 * TOLERANCE)
    if not d.next_step:
        g["no_next_step"] = 1.0
    if d.pushes >= 1:
        g["pushed"] = 1 + (min(d.pushes, 4) - 1) / 3
    return g


def p_lost(d, as_of):
    g = grades(d, as_of)
    return sigmoid(B0 + sum(BETA[s] * g[s] for s in SIGNALS if s in g))


class World:
    def __init__(self, rng):
        self.rng = rng
        self.next_id = 1
        self.owners = [f"{f} {l}" for f in FIRST for l in LAST][::7][:40]
        self.accounts = [f"{a} {b}" for a in ACCT_A for b in ACCT_B]

    def off_probability(self, stage):
        r = self.rng
        p = STAGE_PROB[stage] + r.choice((-1, 1)) * 5 * r.randint(2, 14)
        return max(0, min(100, p))

    def person(self):
        r = self.rng
        return f"{r.choice(FIRST)} {r.choice(LAST)} ({r.choice(TITLES)})"

    def new_deal(self, created, stage=None):
        """A deal created on day `created` (its first stage, when not given, Prospecting or
        Qualification)."""
        r = self.rng
        d = Deal()
        d.id = self.next_id
        self.next_id += 1
        d.account = r.choice(self.accounts)
        d.name = f"{d.account} - {r.choice(PRODUCTS)}, {5 * r.randint(1, 400)} seats"
        d.owner = r.choice(self.owners)
        d.stage = stage if stage is not None else (0 if r.random() < 0.7 else 1)
        d.amount = round(r.lognormvariate(10.3, 0.9), -2) if r.random() < 0.9 else None
        if d.amount == 0:
            d.amount = 100.0
        d.prob = STAGE_PROB[d.stage] if r.random() < 0.88 else self.off_probability(d.stage)
        d.close = created + r.randint(30, 150) if r.random() < 0.88 else None
        d.created = created
        d.activity = created if r.random() < 0.9 else None
        d.changed = created
        d.next_step = r.choice(NEXT_STEPS) if r.random() < 0.7 else ""
        d.pushes = 0
        d.dm = self.person() if r.random() < 0.35 else ""
        d.budget = "Yes" if r.random() < 0.2 else ""
        d.engage = r.choice(ENGAGEMENT)
        d.outcome = None
        d.closed_at = None
        return d

    def evolve(self, d, prev, as_of):
        """One week of an open deal that stays open, from as-of `prev` to `as_of`."""
        r = self.rng
        if r.random() < 0.03:
            d.engage = r.choice(ENGAGEMENT)
        active = r.random() < d.engage
        if active:
            d.activity = prev + r.randint(1, 7)
        if d.stage < 3 and r.random() < ADVANCE[d.stage] * (1.3 if active else 0.5):
            d.stage += 1
            d.changed = prev + r.randint(1, 7)
            d.prob = STAGE_PROB[d.stage] if r.random() < 0.85 else self.off_probability(d.stage)
            if not d.dm and r.random() < 0.3:
                d.dm = self.person()
            if not d.budget and r.random() < 0.2:
                d.budget = "Yes"
        elif r.random() < 0.03:
            d.prob = self.off_probability(d.stage)
        elif d.prob != STAGE_PROB[d.stage] and r.random() < 0.08:
            d.prob = STAGE_PROB[d.stage]
        if d.next_step:
            if r.random() < (0.05 if active else 0.15):
                d.next_step = ""
        elif r.random() < (0.4 if active else 0.05):
            d.next_step = r.choice(NEXT_STEPS)
        if d.close is None:
            if r.random() < 0.08:
                d.close = as_of + r.randint(14, 120)
        else:
            if d.close < as_of:
                push = r.random() < 0.3
            elif d.close - as_of < 14:
                push = r.random() < 0.1
            else:
                push = r.random() < 0.015
            if push:
                d.close = max(d.close, as_of) + r.randint(7, 60)
                d.pushes += 1
        if not d.dm and r.random() < 0.06:
            d.dm = self.person()
        elif d.dm and r.random() < 0.004:
            d.dm = ""
        if not d.budget and r.random() < 0.05:
            d.budget = "Yes"
        if d.amount is None and r.random() < 0.1:
            d.amount = round(r.lognormvariate(10.3, 0.9), -2) or 100.0

    def close(self, d, prev, k):
        """Close open deal d between as-of `prev` and snapshot k: its outcome drawn from the
        model on its state as of `prev` (its row in the snapshot before). Returns p_lost."""
        r = self.rng
        p = p_lost(d, prev)
        lost = r.random() < p
        day = prev + r.randint(1, 7)
        d.outcome = LOST if lost else WON
        if not lost and d.amount is None:   # a won deal has its amount (no HYG006)
            d.amount = round(r.lognormvariate(10.3, 0.9), -2) or 100.0
        d.closed_at = k
        d.prob = 0 if lost else 100
        d.close = day
        d.changed = day
        d.activity = day
        return p


def iso(day, cache={}):
    s = cache.get(day)
    if s is None:
        s = cache[day] = datetime.date.fromordinal(day).isoformat()
    return s


def row(d):
    return [
        f"OPP-{d.id:07d}", d.name, d.account, d.owner,
        d.outcome or STAGES[d.stage],
        "" if d.amount is None else f"{d.amount:.2f}",
        str(d.prob),
        "" if d.close is None else iso(d.close),
        iso(d.created),
        "" if d.activity is None else iso(d.activity),
        iso(d.changed),
        d.next_step, str(d.pushes), d.dm, d.budget,
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--deals", type=int, default=20000, help="rows per snapshot")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2026-03-06", help="as-of of week 1 (YYYY-MM-DD)")
    ap.add_argument("--burn-in", type=int, default=20, help="unwritten weeks before week 1")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.weeks < 1 or a.deals < 10 or a.burn_in < 1:
        sys.exit("gen_history.py: --weeks >= 1, --deals >= 10, --burn-in >= 1")
    rng = random.Random(a.seed)
    world = World(rng)
    os.makedirs(a.out, exist_ok=True)
    first = datetime.date.fromisoformat(a.start).toordinal()
    # Snapshot k (1-based) is written for k >= 1; k <= 0 are burn-in weeks.
    k0 = 1 - a.burn_in
    origin = first + 7 * (k0 - 1)
    open_deals = []
    for _ in range(int(a.deals * 0.9)):
        created = origin - rng.randint(0, 120)
        d = world.new_deal(created, stage=rng.choice((0, 0, 0, 1, 1, 2, 3)))
        d.changed = created + rng.randint(0, origin - created)
        open_deals.append(d)
    closed = []          # closed deals still shown: (closed_at, deal) in closing order
    truth = []
    stats = {"closed": 0, "lost": 0, "rows": 0}
    for k in range(k0, a.weeks + 1):
        as_of = first + 7 * (k - 1)
        prev = as_of - 7
        stays = []
        for d in open_deals:
            if rng.random() < CLOSE_HAZARD[d.stage]:
                p = world.close(d, prev, k)
                closed.append(d)
                if k >= 2:   # open in the written snapshot k-1
                    lost = d.outcome == LOST
                    truth.append((f"OPP-{d.id:07d}", iso(as_of), p, int(lost)))
                    stats["closed"] += 1
                    stats["lost"] += lost
            else:
                world.evolve(d, prev, as_of)
                stays.append(d)
        closed = [d for d in closed if d.closed_at >= k - 1]
        for _ in range(a.deals - len(closed) - len(stays)):
            stays.append(world.new_deal(prev + rng.randint(1, 7)))
        open_deals = stays
        if k < 1:
            continue
        path = os.path.join(a.out, f"week{k:02d}_{iso(as_of)}.csv")
        rows = sorted(open_deals + closed, key=lambda d: d.id)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerows(row(d) for d in rows)
        stats["rows"] += len(rows)
    with open(os.path.join(a.out, "truth.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "closed_as_of", "p_lost", "lost"])
        for t in truth:
            w.writerow([t[0], t[1], f"{t[2]:.9f}", t[3]])
    n = stats["closed"]
    print(f"gen_history.py: {a.weeks} snapshots, {stats['rows']} rows, {n} deals closed "
          f"after being seen open, {stats['lost']} lost "
          f"({100 * stats['lost'] / max(n, 1):.1f}%), into {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
