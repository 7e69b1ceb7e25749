#!/usr/bin/env python3
"""Hostile inputs for the resource bounds (README, "Bounded resources"), built from the
gen_opps file's header and first rows so that everything but the hostile part is a real
export.

Usage: bench/gen_hostile.py cell|garbage|header OPPS_CSV > OUT
  cell     one deal whose name is a 1 GiB cell (letters and spaces, no delimiter)
  garbage  the header, then 1,000,000 rows of 150-240 random printable bytes with extra
           commas and quotes (about 196 MB, seeded)
  header   a 300 MiB header line (letters only), then one row
"""
import random
import sys


def main():
    kind, opps = sys.argv[1], sys.argv[2]
    out = sys.stdout.buffer
    with open(opps, "rb") as f:
        header = f.readline()
        rows = [f.readline() for _ in range(3)]
    if kind == "cell":
        out.write(header)
        out.write(rows[0])
        r = rows[1].split(b",")
        out.write(r[0] + b",")
        chunk = (b"abcdefghijklmnopqrstuvwxyz0123456789 " * 30000)[: 1 << 20]
        for _ in range(1024):
            out.write(chunk)
        out.write(b"," + b",".join(r[2:]))
        out.write(rows[2])
    elif kind == "garbage":
        random.seed(7)
        out.write(header)
        alphabet = bytes(range(32, 127)) + b',,,,,,,,""""'
        buf = []
        for _ in range(1_000_000):
            n = random.randint(150, 240)
            buf.append(bytes(random.choices(alphabet, k=n)) + b"\n")
            if len(buf) == 10_000:
                out.write(b"".join(buf))
                buf = []
        out.write(b"".join(buf))
    elif kind == "header":
        chunk = (b"abcdefghijklmnopqrstuvwxyz" * 50000)[: 1 << 20]
        for _ in range(300):
            out.write(chunk)
        out.write(b"\n")
        out.write(rows[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
