#!/usr/bin/env python3
"""Compare two directories written by scripts/snapshot_outputs.sh.

JSON files are compared as parsed documents (so pretty and compact output compare equal);
every other file byte for byte. Prints one line per differing file with the first few
differing JSON paths, and exits 1 when anything differs.

Usage: python3 scripts/compare_outputs.py BEFORE AFTER [--ignore-key KEY]...
"""
import json
import os
import sys


def diff(a, b, path, out, limit=8):
    if len(out) >= limit:
        return
    if type(a) is not type(b):
        out.append(f"{path}: {short(a)} -> {short(b)}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"{path}.{k}: added {short(b[k])}")
            elif k not in b:
                out.append(f"{path}.{k}: removed")
            else:
                diff(a[k], b[k], f"{path}.{k}", out, limit)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} -> {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {short(a)} -> {short(b)}")


def short(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) < 120 else s[:117] + "..."


def strip(doc, ignored):
    if isinstance(doc, dict):
        return {k: strip(v, ignored) for k, v in doc.items() if k not in ignored}
    if isinstance(doc, list):
        return [strip(v, ignored) for v in doc]
    return doc


def main():
    args = sys.argv[1:]
    ignored = set()
    while "--ignore-key" in args:
        i = args.index("--ignore-key")
        ignored.add(args[i + 1])
        del args[i : i + 2]
    before, after = args
    names = sorted(set(os.listdir(before)) | set(os.listdir(after)))
    differing = 0
    for name in names:
        pa, pb = os.path.join(before, name), os.path.join(after, name)
        if not os.path.exists(pa) or not os.path.exists(pb):
            print(f"{name}: only in {'after' if os.path.exists(pb) else 'before'}")
            differing += 1
            continue
        with open(pa, "rb") as f:
            a = f.read()
        with open(pb, "rb") as f:
            b = f.read()
        if name.endswith(".json"):
            try:
                ja, jb = json.loads(a), json.loads(b)
            except ValueError:
                ja = jb = None
            if ja is not None:
                ja, jb = strip(ja, ignored), strip(jb, ignored)
                if ja != jb:
                    differing += 1
                    out = []
                    diff(ja, jb, "$", out)
                    print(f"{name}:")
                    for line in out:
                        print(f"    {line}")
                continue
        if a != b:
            differing += 1
            la = a.decode("utf-8", "replace").splitlines()
            lb = b.decode("utf-8", "replace").splitlines()
            first = next(
                (i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb))
            )
            print(f"{name}: first difference at line {first + 1}")
            print(f"    - {la[first][:150] if first < len(la) else '(end)'}")
            print(f"    + {lb[first][:150] if first < len(lb) else '(end)'}")
    print(f"{len(names)} files compared, {differing} differ")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
