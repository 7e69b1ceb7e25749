#!/usr/bin/env python3
"""Check (or rewrite) the terminal samples of README.md and docs/*.md against what pipelint
prints today.

Every fenced block whose first line starts with `$ pipelint` is run: its `$ ` commands (with
`\\` continuations) in one bash, in the repository root, with target/release first on PATH,
in a 160-column terminal (`script`), and each command's output compared with the lines that
follow it in the block. Two files the samples name are made first and removed after:
`bad.toml` (a copy of fixtures/readme/bad.toml) and `org.toml` (drafted by `init --from`).
A sample whose last line is a lone `…` shows the start of the output: only that much is compared.

Usage: scripts/readme_samples.py [--write]   (build with `cargo build --release` first)
"""
import difflib, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = dict(os.environ, PATH=os.path.join(root, "target", "release") + ":" + os.environ["PATH"],
           NO_COLOR="1", COLUMNS="160")

MARK = "@@readme-sample@@"

def run_block(cmds):
    """Runs the commands in one shell, in a terminal; returns each one's output lines."""
    body = "\n".join(f"{c}\n__rc=$?; echo {MARK}; (exit $__rc)" for c in cmds)
    script = f"stty cols 160 rows 50; exec 2>&1\n{body}\n"
    p = subprocess.run(["script", "-qec", script, "/dev/null"], cwd=root, env=env,
                       capture_output=True, text=True)
    outs = p.stdout.replace("\r\n", "\n").split(MARK + "\n")
    return [o.rstrip("\n").split("\n") if o.strip("\n") else [] for o in outs[: len(cmds)]]

def setup():
    import shutil
    shutil.copy(os.path.join(root, "fixtures", "readme", "bad.toml"), os.path.join(root, "bad.toml"))
    with open(os.path.join(root, "org.toml"), "w") as f:
        subprocess.run(["pipelint", "init", "--from",
                        "../shared/realworld/salesforce_opportunity_export_cp1252_multicurrency.csv"],
                       cwd=root, env=env, stdout=f, check=True)

def teardown():
    for name in ("bad.toml", "org.toml"):
        try:
            os.remove(os.path.join(root, name))
        except FileNotFoundError:
            pass

def check(path):
    """Checks one Markdown file's samples; returns how many differ."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, bad = [], 0, 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not (line.startswith("```") and i < len(lines) and lines[i].startswith("$ pipelint")):
            continue
        end = i
        while not lines[end].startswith("```"):
            end += 1
        block, j, parts = lines[i:end], 0, []
        while j < len(block):
            cmd_lines = [block[j]]
            while cmd_lines[-1].endswith("\\"):
                j += 1
                cmd_lines.append(block[j])
            j += 1
            start = j
            while j < len(block) and not block[j].startswith("$ "):
                j += 1
            shown = block[start:j]
            gap = 0
            while shown and shown[-1] == "":
                shown.pop()
                gap += 1
            cmd = re.sub(r"\s+#.*$", "", "\n".join(cmd_lines)[2:])
            parts.append((cmd_lines, cmd, shown, gap))
        got_all = run_block([p[1] for p in parts])
        for (cmd_lines, cmd, shown, gap), got in zip(parts, got_all):
            if shown and shown[-1] == "…":
                got = got[: len(shown) - 1] + ["…"]
            if got != shown:
                bad += 1
                print(f"{os.path.relpath(path, root)}: sample differs: $ {cmd}")
                sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(shown, got, "shown", "now", lineterm=""))
            out += cmd_lines + got + [""] * gap
        i = end

    if bad and "--write" in sys.argv:
        open(path, "w", encoding="utf-8").write("\n".join(out))
    return bad


def main():
    docs = os.path.join(root, "docs")
    paths = [os.path.join(root, "README.md")] + sorted(
        os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    bad = sum(check(p) for p in paths)
    if "--write" in sys.argv:
        print(f"{bad} sample(s) rewritten")
    else:
        print(f"{bad} sample(s) differ")
        sys.exit(1 if bad else 0)


setup()
try:
    main()
finally:
    teardown()
