#!/usr/bin/env python3
"""Deterministic benchmark trees and their manifests.

  gen_tree.py system DIR [--scale K]   ~2 GiB in ~20k files, skewed sizes, Windows-like layout
  gen_tree.py small  DIR [--scale K]   ~200k files of 0-8 KiB (~800 MiB)
  gen_tree.py million MANIFEST         a 1,000,000-entry manifest (lifeboat format) over a
                                        Windows-like layout, for the memory measurement
  gen_tree.py tiny   DIR [--files N]   1,000,000 files of 0-64 bytes in 2,000 directories, with
                                        a correct DIR/manifest.lbm (a 1M-entry scan that is all ok)
  gen_tree.py fixset DIR [--files N]   from the system tree in DIR, pick 1,000 files (a random
                                        sample, so the size mix of the tree), and write
                                        DIR/fix/: src/dllcache/NAME (flat copies, a restore
                                        source), src/bypath/PATH (hard links to those, for the
                                        cp baseline), picked.list and picked.dirs (NUL-separated
                                        paths and their directories), picked.sha256 and
                                        manifest.lbm (the 1,000 entries)

Writes DIR/tree/ and, next to it, DIR/manifest.sha256 (sha256sum -c, rhash -c),
DIR/manifest.lbm (lifeboat native, with sizes) and DIR/manifest.hashdeep
(hashdeep -k). --scale K repeats the tree K times under tree/copyN/ (the growth
measurement). The same seed always gives the same bytes, so runs compare.
"""
import argparse
import hashlib
import os
import random
import shutil
import sys

SEED = 20100421  # the day DAT 5958 shipped


def system_sizes(rng, count, target_bytes):
    """A skewed mix: most files a few KiB, a long tail of large ones (like system32)."""
    sizes = []
    for _ in range(count):
        r = rng.random()
        if r < 0.55:
            s = rng.randint(512, 32 * 1024)
        elif r < 0.85:
            s = rng.randint(32 * 1024, 256 * 1024)
        elif r < 0.98:
            s = rng.randint(256 * 1024, 2 * 1024 * 1024)
        else:
            s = rng.randint(2 * 1024 * 1024, 24 * 1024 * 1024)
        sizes.append(s)
    scale = target_bytes / sum(sizes)
    return [max(0, int(s * scale)) for s in sizes]


SYSTEM_DIRS = [
    ("Windows/System32", 0.30),
    ("Windows/System32/drivers", 0.05),
    ("Windows/SysWOW64", 0.15),
    ("Windows/System32/DriverStore/FileRepository", 0.10),
    ("Windows/WinSxS", 0.25),
    ("Program Files/Common Files/System", 0.05),
    ("Windows/Fonts", 0.04),
    ("Windows/inf", 0.06),
]


def system_layout(rng, count):
    paths = []
    for i in range(count):
        r = rng.random()
        acc = 0.0
        base = SYSTEM_DIRS[-1][0]
        for d, w in SYSTEM_DIRS:
            acc += w
            if r < acc:
                base = d
                break
        if base.endswith("WinSxS") or base.endswith("FileRepository"):
            base += "/amd64_component-%04d_31bf3856ad364e35_10.0.19041.%d_none" % (i // 40, i % 7)
        ext = rng.choice(["dll", "dll", "dll", "exe", "sys", "mui", "inf", "cat", "ttf"])
        paths.append("%s/f%06d.%s" % (base, i, ext))
    return paths


def small_layout(rng, count):
    # ~400 directories of ~500 files, 0-8 KiB each
    return ["Windows/small/d%03d/s%06d.dat" % (i // 500, i) for i in range(count)]


def write_tree(root, paths, sizes, prefix, out_sha, out_lbm, out_hd):
    made = set()
    for i, (p, n) in enumerate(zip(paths, sizes)):
        rel = prefix + p
        full = os.path.join(root, rel)
        d = os.path.dirname(full)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        data = random.Random(SEED * 1000003 + i).randbytes(n)
        with open(full, "wb") as f:
            f.write(data)
        h = hashlib.sha256(data).hexdigest()
        out_sha.write("%s  %s\n" % (h, rel))
        out_lbm.write("require %s %d %s\n" % (h, n, rel))
        out_hd.write("%d,%s,%s\n" % (n, h, rel))
        if i % 2000 == 0:
            sys.stderr.write("\r  %d/%d files" % (i, len(paths)))
    sys.stderr.write("\r  %d/%d files\n" % (len(paths), len(paths)))


def lbm_header(f, title, count):
    f.write("lifeboat-manifest 1\n")
    f.write("name bench-%s\n" % title)
    f.write("description lifeboat benchmark tree (%s)\n" % title)


def write_tiny(out, n):
    """n files of 0-64 bytes, 500 to a directory; one random stream, so it is quick and the same
    every time. Only the lifeboat manifest is written (the memory measurement needs no other)."""
    rng = random.Random(SEED + 2)
    root = os.path.join(out, "tree")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "manifest.lbm"), "w") as f:
        lbm_header(f, "tiny", n)
        for i in range(n):
            rel = "Windows/WinSxS/tiny%04d/t%07d.mui" % (i // 500, i)
            if i % 500 == 0:
                os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            data = rng.randbytes(rng.randint(0, 64))
            with open(os.path.join(root, rel), "wb") as g:
                g.write(data)
            f.write("require %s %d %s\n" % (hashlib.sha256(data).hexdigest(), len(data), rel))
            if i % 20000 == 0:
                sys.stderr.write("\r  %d/%d files" % (i, n))
        f.write("end %d\n" % n)
    sys.stderr.write("\r  %d/%d files\n" % (n, n))


def write_fixset(out, n):
    """The restore measurement: n entries of DIR/manifest.lbm and flat copies of their files."""
    entries = []
    with open(os.path.join(out, "manifest.lbm")) as f:
        for line in f:
            if line.startswith("require "):
                _, h, size, rel = line.rstrip("\n").split(" ", 3)
                entries.append((h, size, rel))
    picked = sorted(random.Random(SEED + 3).sample(range(len(entries)), min(n, len(entries))))
    fix = os.path.join(out, "fix")
    shutil.rmtree(fix, ignore_errors=True)
    flat = os.path.join(fix, "src", "dllcache")
    os.makedirs(flat, exist_ok=True)
    dirs = set()
    with open(os.path.join(fix, "manifest.lbm"), "w") as m, \
         open(os.path.join(fix, "picked.sha256"), "w") as sha, \
         open(os.path.join(fix, "picked.list"), "wb") as lst:
        lbm_header(m, "fix", len(picked))
        for i in picked:
            h, size, rel = entries[i]
            name = os.path.basename(rel)  # f%06d.ext: unique in a scale-1 tree
            shutil.copyfile(os.path.join(out, "tree", rel), os.path.join(flat, name))
            by = os.path.join(fix, "src", "bypath", rel)
            os.makedirs(os.path.dirname(by), exist_ok=True)
            os.link(os.path.join(flat, name), by)
            m.write("require %s %s %s\n" % (h, size, rel))
            sha.write("%s  %s\n" % (h, rel))
            lst.write(rel.encode() + b"\0")
            dirs.add(os.path.dirname(rel))
        m.write("end %d\n" % len(picked))
    with open(os.path.join(fix, "picked.dirs"), "wb") as f:
        for d in sorted(dirs):
            f.write(d.encode() + b"\0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["system", "small", "million", "tiny", "fixset"])
    ap.add_argument("out")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--files", type=int, default=0)
    ap.add_argument("--bytes", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(SEED)
    if a.kind == "million":
        n = a.files or 1_000_000
        paths = system_layout(rng, n)
        rng2 = random.Random(SEED + 1)
        with open(a.out, "w") as f:
            lbm_header(f, "million", n)
            for p in paths:
                f.write("require %064x %d %s\n" % (rng2.getrandbits(256), rng2.randint(0, 1 << 20), p))
            f.write("end %d\n" % n)
        return
    if a.kind == "tiny":
        write_tiny(a.out, a.files or 1_000_000)
        return
    if a.kind == "fixset":
        write_fixset(a.out, a.files or 1_000)
        return
    if a.kind == "system":
        n = a.files or 20_000
        paths = system_layout(rng, n)
        sizes = system_sizes(rng, n, a.bytes or 2 * 1024 ** 3)
    else:
        n = a.files or 200_000
        paths = small_layout(rng, n)
        sizes = [rng.randint(0, 8192) for _ in range(n)]
    os.makedirs(a.out, exist_ok=True)
    root = os.path.join(a.out, "tree")
    with open(os.path.join(a.out, "manifest.sha256"), "w") as sha, \
         open(os.path.join(a.out, "manifest.lbm.body"), "w") as lbm, \
         open(os.path.join(a.out, "manifest.hashdeep"), "w") as hd:
        hd.write("%%%% HASHDEEP-1.0\n%%%% size,sha256,filename\n")
        for k in range(a.scale):
            prefix = "" if a.scale == 1 else "copy%d/" % k
            write_tree(root, paths, sizes, prefix, sha, lbm, hd)
    with open(os.path.join(a.out, "manifest.lbm"), "w") as f:
        lbm_header(f, a.kind, n * a.scale)
        with open(os.path.join(a.out, "manifest.lbm.body")) as body:
            for line in body:
                f.write(line)
        f.write("end %d\n" % (n * a.scale))
    os.unlink(os.path.join(a.out, "manifest.lbm.body"))


if __name__ == "__main__":
    main()
