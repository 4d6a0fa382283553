#!/usr/bin/python3
"""tools/check_layers.py: the layers of loraflow read bottom-up, and this check keeps them so.

  base (scalar, decimal, product, linalg, random, fp_env, io/)  <- model/ (what is integrated)
  <- integrate/ (how)  <- observe/ (what is measured)  <- run/  <- sweep/, report/
  <- tools/, bench/, the Python module;   validation/ is evidence on top of the library.

A file of lib/include/loraflow/<dir>/ or lib/src/<dir>/ may include loraflow headers of its own layer or below, never
above. tools/ and bench/ may include the library but not validation/ (the theorem checks are their own program,
validation/check/main.cpp). Run by ctest (test `layers`, label unit); exits 1 listing every include that points up.
Usage: check_layers.py [REPO_ROOT]
"""
import pathlib
import re
import sys

# The layer of each part of the library (a path under lib/include/loraflow or lib/src; the first match wins).
LAYERS = [
    ("scalar.hpp", 0), ("decimal.hpp", 0), ("product.hpp", 0), ("product.cpp", 0), ("linalg.hpp", 0),
    ("random.hpp", 0), ("fp_env.hpp", 0), ("io/", 0), ("instantiate/", 6),
    ("model/", 1), ("integrate/", 2), ("observe/", 3), ("run/", 4), ("sweep/", 5), ("report/", 5),
]
NAMES = {0: "base", 1: "model", 2: "integrate", 3: "observe", 4: "run", 5: "sweep/report", 6: "instantiation"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def layer_of(rel):
    for prefix, layer in LAYERS:
        if rel == prefix or rel.startswith(prefix):
            return layer
    return None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    problems = []
    unknown = []
    for base in (root / "lib/include/loraflow", root / "lib/src"):
        for f in sorted(base.rglob("*")):
            if f.suffix not in (".hpp", ".cpp", ".in"):
                continue
            rel = f.relative_to(base).as_posix()
            own = layer_of(rel)
            if own is None:
                unknown.append(f.relative_to(root).as_posix())
                continue
            for n, line in enumerate(f.read_text().splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = m.group(1)
                if inc.startswith("check/"):
                    problems.append(f"{f.relative_to(root)}:{n}: includes validation header {inc}")
                if not inc.startswith("loraflow/"):
                    continue
                target = layer_of(inc[len("loraflow/"):])
                if target is None:
                    unknown.append(inc)
                elif target > own:
                    problems.append(f"{f.relative_to(root)}:{n}: {NAMES[own]} includes {inc} ({NAMES[target]}, a higher layer)")
    for top in ("tools", "bench"):
        for f in sorted((root / top).rglob("*")):
            if f.suffix not in (".hpp", ".cpp"):
                continue
            for n, line in enumerate(f.read_text().splitlines(), 1):
                m = INCLUDE.match(line)
                if m and (m.group(1).startswith("check/") or "validation/" in m.group(1)):
                    problems.append(f"{f.relative_to(root)}:{n}: {top}/ includes validation header {m.group(1)}")
    for u in sorted(set(unknown)):
        problems.append(f"no layer is known for {u}: add it to LAYERS in tools/check_layers.py")
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) point up or are unclassified", file=sys.stderr)
        return 1
    print("check_layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
