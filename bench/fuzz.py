#!/usr/bin/env python3
"""Mutation fuzzing of the pipelint binary, for longer runs by hand (bench/fuzz.sh).

Takes a corpus of exports, applies byte-level mutations (flips, quotes, delimiters, line
breaks, NUL bytes, byte order marks, truncation, duplicated lines, huge cells, a huge
header), and runs `audit`, `profile` or `init --from` on each mutant with a time limit and
an address-space limit. Anything but exit 0, 1 or 2, a timeout, a panic message, or a peak
resident set over the bound (3x the input plus a fixed allowance) is a failure: the
mutant is kept in OUT/failures with the command that failed. Prints a summary at the end.

Usage: bench/fuzz.py --bin BINARY --seconds N [--seed S] [--out DIR] [CORPUS_DIR...]
"""
import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time

AS_OF = "2026-11-20"
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
# The largest mutant made: big enough for huge cells and headers, small enough to run often.
MAX_MUTANT = 64 << 20
SPECIAL = [b'"', b",", b";", b"\t", b"|", b"\n", b"\r", b"\r\n", b"\x00", b'""', b"\\", b"\\N"]


def corpus_files(dirs):
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if n.endswith((".csv", ".txt", ".tsv")):
                    p = os.path.join(root, n)
                    if os.path.getsize(p) <= 4 << 20:
                        files.append(p)
    return sorted(files)


def mutate(data, rng):
    """One to four mutations of `data`; returns the mutant and their names."""
    names = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(
            ["flip", "insert", "insert", "truncate", "dup_lines", "bom", "huge_cell",
             "swap_lines", "delete", "repeat_special", "huge_header", "drop_breaks"]
        )
        names.append(kind)
        n = len(data)
        at = rng.randint(0, n) if n else 0
        if kind == "flip" and n:
            b = bytearray(data)
            for _ in range(rng.randint(1, 16)):
                i = rng.randrange(n)
                b[i] = rng.randrange(256)
            data = bytes(b)
        elif kind == "insert":
            data = data[:at] + rng.choice(SPECIAL) * rng.randint(1, 8) + data[at:]
        elif kind == "truncate" and n:
            data = data[: rng.randint(0, n)]
        elif kind == "dup_lines":
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            # Mutants stay under MAX_MUTANT: a long line is repeated fewer times.
            room = max(1, (MAX_MUTANT - n) // (len(lines[i]) + 1))
            lines[i:i] = [lines[i]] * min(rng.randint(1, 2000), room)
            data = b"\n".join(lines)
        elif kind == "bom":
            data = rng.choice(BOMS) + data
        elif kind == "huge_cell":
            size = rng.choice([70_000, 1 << 20, 20 << 20])
            filler = rng.choice([b"x", b"\xc3\xa9", b'"', b",", b"\n", b"7", b"\x00"])
            data = data[:at] + filler * (size // len(filler)) + data[at:]
        elif kind == "swap_lines":
            lines = data.split(b"\n")
            rng.shuffle(lines)
            data = b"\n".join(lines)
        elif kind == "delete" and n:
            data = data[:at] + data[at + rng.randint(1, 64):]
        elif kind == "repeat_special":
            data = data[:at] + rng.choice(SPECIAL) * rng.choice([1000, 100_000, 2_000_000]) + data[at:]
        elif kind == "huge_header":
            data = b"h" * rng.choice([300_000, 3 << 20]) + data
        elif kind == "drop_breaks":
            data = data.replace(b"\n", b"", rng.randint(1, 50))
        data = data[:MAX_MUTANT]
    return data, names


def command(binary, path, rng):
    which = rng.choice(["audit", "audit", "audit_json", "audit_generic", "profile", "init"])
    if which == "audit":
        return [binary, "audit", path, "--as-of", AS_OF]
    if which == "audit_json":
        return [binary, "audit", path, "--as-of", AS_OF, "-f", "json", "-o", os.devnull]
    if which == "audit_generic":
        return [binary, "audit", path, "--as-of", AS_OF, "--preset", "generic", "-f", "csv",
                "-o", os.devnull]
    if which == "profile":
        return [binary, "profile", path, "-f", "json"]
    return [binary, "init", "--from", path]


def run(cmd, timeout, mem_bytes):
    """Exit code (or 'timeout'), peak RSS in bytes, stderr."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=limit, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "timeout", 0, b""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc.returncode, usage.ru_maxrss * 1024, stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="/tmp/pipelint-fuzz")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--mem-mib", type=int, default=4096, help="address-space limit (ulimit -v)")
    ap.add_argument("corpus", nargs="*", default=["fixtures", "../shared/realworld"])
    args = ap.parse_args()

    files = corpus_files(args.corpus)
    if not files:
        sys.exit("no corpus files (.csv, .txt, .tsv) under " + " ".join(args.corpus))
    failures = os.path.join(args.out, "failures")
    os.makedirs(failures, exist_ok=True)
    work = os.path.join(args.out, "mutant.csv")
    rng = random.Random(args.seed)
    exits, failed, runs = {}, 0, 0
    worst = (0.0, "")
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        source = rng.choice(files)
        with open(source, "rb") as f:
            mutant, names = mutate(f.read(), rng)
        with open(work, "wb") as f:
            f.write(mutant)
        cmd = command(args.bin, work, rng)
        # Peak RSS is per child: RUSAGE_CHILDREN keeps the largest so far, so each run is
        # measured in a fork of its own.
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code, peak, stderr = run(cmd, args.timeout, args.mem_mib << 20)
            message = [code, peak, stderr[-2000:].decode(errors="replace")]
            os.write(w, json.dumps(message).encode())
            os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as pipe:
            report = pipe.read()
        os.waitpid(pid, 0)
        code, peak, stderr = json.loads(report)
        runs += 1
        exits[code] = exits.get(code, 0) + 1
        allowance = 3 * len(mutant) + (200 << 20)
        ratio = peak / max(len(mutant), 1)
        if len(mutant) > 1 << 20 and ratio > worst[0]:
            worst = (ratio, f"{cmd[1]} on {len(mutant)} bytes ({'+'.join(names)})")
        why = None
        if code == "timeout":
            why = f"timeout after {args.timeout:.0f} s"
        elif code not in (0, 1, 2):
            why = f"exit {code}"
        elif "panicked" in stderr:
            why = "panic"
        elif peak > allowance:
            why = f"peak RSS {peak >> 20} MiB over {allowance >> 20} MiB"
        if why:
            failed += 1
            stem = os.path.join(failures, f"{runs:06d}")
            os.replace(work, stem + ".csv")
            with open(stem + ".txt", "w") as f:
                f.write(f"{why}\nsource: {source}\nmutations: {' '.join(names)}\n"
                        f"command: {' '.join(cmd).replace(work, stem + '.csv')}\n"
                        f"stderr:\n{stderr}\n")
            print(f"FAIL {why}: {stem}.csv ({'+'.join(names)} of {source})", flush=True)
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(exits.items(), key=lambda kv: str(kv[0])))
    print(f"{runs} runs in {args.seconds:.0f} s over {len(files)} corpus files (seed {args.seed}); "
          f"exit codes {codes}; {failed} failures kept in {failures}")
    if worst[0]:
        print(f"largest peak RSS per input byte on inputs over 1 MiB: {worst[0]:.2f}x ({worst[1]})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
