"""Shared by the fuzz/make_*_seeds.py generators."""
import os
import sys


def write_seeds(target, seeds):
    """Write `seeds` (name -> bytes) as NAME.bin into the directory given as
    the first argument, or fuzz/corpus/TARGET; other files there are left
    alone."""
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", target)
    os.makedirs(out_dir, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds written to {out_dir}")
