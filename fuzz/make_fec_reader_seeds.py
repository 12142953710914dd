#!/usr/bin/env python3
"""Seeds for fuzz_fec_reader: real roc-toolkit 0.4 FEC blocks
(shared/vectors/roc-0.4) with losses, duplicates and hostile payload IDs.

usage: make_fec_reader_seeds.py VECTORS_DIR OUT_DIR
Record format: see fuzz_fec_reader.c.
"""
import json
import os
import struct
import sys

REPAIR, OTHER_SRC, TIMEOUT, READ = 0x0800, 0x1000, 0x2000, 0x8000


def load(vectors, name, count):
    out = []
    with open(os.path.join(vectors, name, "packets.jsonl")) as f:
        for line in f:
            d = json.loads(line)
            out.append((d["port"] == "repair", bytes.fromhex(d["hex"])))
            if len(out) >= count:
                break
    return out


def record(data, flags=0):
    return struct.pack(">H", (len(data) & 0x7FF) | flags) + data


def seed(scheme_byte, recs):
    return bytes([scheme_byte]) + b"".join(recs)


def main():
    vectors, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    seeds = {}
    for name, sb in (("rs8m_18_10", 0), ("ldpc_18_10", 1)):
        pkts = load(vectors, name, 56)  # two blocks of 18 + 10
        tag = name.split("_")[0]

        def recs(drop=(), dup_repair=False, other=False, read_every=4):
            r, src_i = [], 0
            for i, (rep, data) in enumerate(pkts):
                flags = (REPAIR if rep else 0) | (READ if i % read_every == 0 else 0)
                if not rep:
                    src_i += 1
                    if src_i - 1 in drop:
                        continue
                if rep and other:
                    flags |= OTHER_SRC
                r.append(record(data, flags))
                if rep and dup_repair:
                    r.append(record(data, flags))
            return r

        seeds[f"seed_{tag}_lossless.bin"] = seed(sb, recs())
        seeds[f"seed_{tag}_lost3.bin"] = seed(sb, recs(drop=(0, 7, 17)))
        seeds[f"seed_{tag}_lost10_dup.bin"] = seed(sb, recs(drop=range(2, 12), dup_repair=True))
        seeds[f"seed_{tag}_lost11.bin"] = seed(sb, recs(drop=range(18, 29)))
        seeds[f"seed_{tag}_repair_other_addr.bin"] = seed(sb, recs(drop=(1, 2), other=True))
        # Hostile IDs: flip footer / header fields of a few packets.
        hostile = []
        for i, (rep, data) in enumerate(pkts):
            d = bytearray(data)
            if not rep and i % 5 == 1:
                d[-2:] = b"\xff\xff"  # k = 65535
            elif not rep and i % 5 == 2:
                d[-3] = 0xFE  # ESI >= k
            elif rep and i % 3 == 0:
                d[0] ^= 0x55  # SBN jump
            elif rep and i % 3 == 1 and sb == 1:
                d[6:8] = b"\x00\x05"  # ldpc n < k
            hostile.append(record(bytes(d), (REPAIR if rep else 0) | READ))
        seeds[f"seed_{tag}_hostile_ids.bin"] = seed(sb, hostile)
        # Repair before any source (no session), a timeout in the middle.
        first_repair = [d for rep, d in pkts if rep][:3]
        early = [record(d, REPAIR) for d in first_repair] + recs(drop=(4,))
        early.insert(len(early) // 2, record(pkts[0][1], TIMEOUT | READ))
        seeds[f"seed_{tag}_orphan_repair_timeout.bin"] = seed(sb, early)
        # Truncated repair symbols (length mismatch) and short datagrams.
        short = [record(d[: len(d) // 2] if rep else d, REPAIR if rep else 0) for rep, d in pkts]
        short.append(record(b"\x00\x00\x01", REPAIR))
        short.append(record(b"\x80", 0))
        seeds[f"seed_{tag}_short_symbols.bin"] = seed(sb, short)
    for name, blob in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(blob)
    print(f"{len(seeds)} seeds in {out_dir}")


if __name__ == "__main__":
    main()
