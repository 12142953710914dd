#!/usr/bin/env python3
"""Write the seed corpus of the receiver_datagram fuzz target.

Usage: fuzz/make_receiver_seeds.py [OUT_DIR]   (default: fuzz/corpus/receiver_datagram)

Each seed is a sequence of records, as fuzz_receiver_datagram.c reads them:
a 16-bit big-endian header (bits 0-10 datagram length, 11-12 source, 13 big
time jump, 14 housekeeping before the datagram, 15 read after it), then the
datagram. The seeds are short streams a receiver meets: valid PT 10 and 11
streams, reordering, duplicates, loss, many senders, malformed datagrams, a
huge CSRC list, padding, timestamp jumps, sequence and timestamp wrap,
timeouts, budget floods. Every seed is padded to a multiple of 4 bytes, so
that the target ends it with its liveness probe. Only the seed_*.bin files
are rewritten; files added by libFuzzer (named by their SHA-1) are left
alone. Deterministic.
"""
import math
import os
import struct
import sys

FRAMES = 64  # 1.45 ms at 44100 Hz: 4 packets cover the 5 ms target latency
LEN_MASK = 0x07FF
BIG_JUMP = 0x2000
HOUSEKEEP = 0x4000
READ = 0x8000


def rtp(pt=10, seq=0, ts=0, ssrc=0x0A0B0C0D, marker=False, csrc=(), ext=None,
        payload=b"", pad=0, version=2, cc=None, pad_count=None):
    """One datagram. ext = (profile, data) or None; pad = padding bytes
    including the count byte; cc and pad_count override the CSRC count and
    the count byte to make lying headers."""
    n_csrc = len(csrc) if cc is None else cc
    b0 = version << 6 | (0x20 if pad else 0) | (0x10 if ext else 0) | n_csrc
    b1 = (0x80 if marker else 0) | pt
    out = struct.pack(">BBHII", b0, b1, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
    for c in csrc:
        out += struct.pack(">I", c)
    if ext is not None:
        profile, data = ext
        out += struct.pack(">HH", profile, len(data) // 4) + data
    out += payload
    if pad:
        out += bytes(pad - 1) + bytes([pad if pad_count is None else pad_count])
    return out


def l16(frames, channels, start=0, amp=0.5, period=100.0):
    """Big-endian 16-bit sine, the same on every channel."""
    out = b""
    for i in range(start, start + frames):
        v = round(amp * 32767 * math.sin(2 * math.pi * i / period))
        out += struct.pack(">h", v) * channels
    return out


def packet(k, pt=10, ssrc=0x0A0B0C0D, seq0=0, ts0=0, frames=FRAMES, amp=0.5, **kw):
    """Packet k of a stream with a continuous sine."""
    channels = 2 if pt in (10, 97) else 8 if pt == 99 else 1
    return rtp(pt=pt, seq=seq0 + k, ts=ts0 + k * frames, ssrc=ssrc,
               payload=l16(frames, channels, k * frames, amp), **kw)


def rec(dgram, source=0, read=False, housekeep=None):
    """One record; housekeep is None, "half" (half the timeout) or "big"."""
    assert len(dgram) <= LEN_MASK
    h = len(dgram) | (source & 3) << 11
    if housekeep is not None:
        h |= HOUSEKEEP | (BIG_JUMP if housekeep == "big" else 0)
    if read:
        h |= READ
    return struct.pack(">H", h) + dgram


def stream(n, read_from=4, **kw):
    """n packets of one stream; the reader reads after each from read_from on."""
    return b"".join(rec(packet(k, **kw), read=k >= read_from) for k in range(n))


def seeds():
    s = {}
    s["seed_stream_pt10"] = stream(10, ssrc=0x1111, seq0=100, ts0=5000)
    s["seed_stream_pt11"] = stream(10, pt=11, ssrc=0x2222, seq0=7, ts0=123456)
    order = [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]
    s["seed_reordered"] = b"".join(
        rec(packet(k, ssrc=0x3333), read=i >= 4) for i, k in enumerate(order))
    s["seed_duplicates"] = b"".join(
        rec(packet(k, ssrc=0x4444), read=k >= 4) * (2 if k % 3 == 0 else 1)
        for k in range(8))
    s["seed_lost"] = b"".join(
        rec(packet(k, ssrc=0x5555), read=k >= 4) for k in range(10) if k not in (5, 6))
    # Eight senders, four packets each, from four addresses: 4 sessions play,
    # 4 are refused.
    s["seed_many_ssrcs"] = b"".join(
        rec(packet(k, ssrc=0x100 + i), source=i, read=(i == 7 and k >= 3))
        for k in range(4) for i in range(8))
    s["seed_malformed"] = b"".join(rec(d) for d in [
        b"",
        rtp(payload=l16(4, 2))[:11],
        rtp(version=1, payload=l16(4, 2)),
        rtp(version=0, payload=l16(4, 2)),
        rtp(cc=15, payload=l16(2, 2)),
        rtp(payload=l16(2, 2), pad=4, pad_count=200),
        rtp(payload=l16(2, 2), pad=4, pad_count=0),
        rtp(),
        rtp(pad=4),
        rtp(ext=(0xBEDE, bytes(8)))[:18],
        rtp(pt=0, payload=l16(4, 2)),
        rtp(pt=100, payload=l16(4, 2)),
    ]) + stream(5, ssrc=0x6666)
    s["seed_csrc15"] = b"".join(
        rec(packet(k, ssrc=0x7777, csrc=tuple(range(1, 16))), read=k >= 4)
        for k in range(6))
    s["seed_padding_ext"] = b"".join(
        rec(packet(k, ssrc=0x8888, pad=(k % 4) * 4 + 1 if k % 2 else 0,
                   ext=(0xBEDE, bytes(4 * k)) if k % 3 == 0 else None,
                   marker=(k == 0)), read=k >= 4)
        for k in range(7))
    # A sender whose clock jumps ahead 10 s, then back.
    s["seed_ts_jumps"] = (stream(5, ssrc=0x9999) +
                          stream(5, read_from=0, ssrc=0x9999, seq0=5, ts0=441000 - 5 * FRAMES) +
                          stream(3, read_from=0, ssrc=0x9999, seq0=10, ts0=1000))
    s["seed_seq_ts_wrap"] = stream(10, ssrc=0xAAAA, seq0=0xFFFC, ts0=0xFFFFFFFF - 3 * FRAMES)
    # A stream that stops and times out, comes back, then another takes over.
    s["seed_timeout"] = (stream(6, ssrc=0xBBBB) +
                         rec(packet(6, ssrc=0xBBBB), housekeep="half", read=True) +
                         rec(packet(7, ssrc=0xBBBB), housekeep="big", read=True) +
                         rec(packet(8, ssrc=0xBBBB), housekeep="half", read=True) +
                         stream(6, read_from=2, ssrc=0xCCCC, seq0=9, ts0=99))
    # Dynamic types: F32 mono with NaN, infinities and out-of-range values;
    # S24 stereo; 8-channel L16; a 48 kHz type the receiver refuses.
    f32 = b"".join(struct.pack(">f", v) for v in
                   [0.5, float("nan"), float("inf"), -float("inf"), 3.0, -2.0, 1.0, -1.0] * 8)
    s24 = b"".join(struct.pack(">i", v)[1:] for v in [0x7FFFFF, -0x800000, 0, 1] * 32)
    s["seed_dynamic_types"] = (
        b"".join(rec(rtp(pt=96, seq=k, ts=k * 64, ssrc=0xD096, payload=f32), read=k >= 4)
                 for k in range(6)) +
        b"".join(rec(rtp(pt=97, seq=k, ts=k * 64, ssrc=0xD097, payload=s24), read=k >= 4)
                 for k in range(6)) +
        b"".join(rec(packet(k, pt=99, ssrc=0xD099, frames=16), read=k >= 2) for k in range(16)) +
        b"".join(rec(packet(k, pt=98, ssrc=0xD098)) for k in range(3)))
    # Two loud senders: the mix clips.
    s["seed_loud_mix"] = b"".join(
        rec(packet(k, ssrc=0xE000 + i, amp=1.0), source=i, read=(i == 1 and k >= 4))
        for k in range(6) for i in range(2))
    # Same SSRC changes payload type, sends a payload that is not whole frames.
    s["seed_pt_change_odd"] = (stream(4, ssrc=0xF0F0) +
                               rec(packet(4, pt=11, ssrc=0xF0F0)) +
                               rec(rtp(pt=10, seq=5, ts=5 * FRAMES, ssrc=0xF0F0,
                                       payload=b"\x01\x02\x03"), read=True) +
                               stream(3, read_from=0, ssrc=0xF0F0, seq0=6, ts0=6 * FRAMES))
    # A flood without reads: the session budget and the queue run out.
    s["seed_budget_flood"] = (b"".join(rec(packet(k, ssrc=0x5EED)) for k in range(24)) +
                              rec(packet(24, ssrc=0x5EED), read=True))
    # RTCP (the target sends datagrams whose second byte is 200..207 to the
    # control endpoint): an SR for the stream from its sender, a BYE for it
    # from another address (ignored), then its own BYE, then it comes back.
    def sr(ssrc):
        return struct.pack(">BBHIIIIII", 0x80, 200, 6, ssrc, 0xE0000000, 0, 1234, 10, 1000)

    def bye(ssrc):
        return struct.pack(">BBHI", 0x80, 201, 1, 0x5151) + struct.pack(">BBHI", 0x81, 203, 1, ssrc)
    s["seed_rtcp_bye"] = (stream(5, ssrc=0x0BE0) + rec(sr(0x0BE0)) + rec(bye(0x0BE0), source=1) +
                          rec(packet(5, ssrc=0x0BE0), read=True) + rec(bye(0x0BE0), read=True) +
                          stream(4, read_from=0, ssrc=0x0BE0, seq0=6, ts0=6 * FRAMES))
    # A datagram longer than the receiver's buffers.
    s["seed_too_long"] = rec(rtp(payload=bytes(1600)), read=True) + stream(5, ssrc=0x1010)
    return s


def probe_enabled(data):
    """Pad to a multiple of 4 bytes, so that the target ends the seed with
    its liveness probe: with an empty datagram record (2 bytes, counted as
    a bad packet) and/or one trailing byte, which is too short for a record
    and ignored."""
    if len(data) % 4 in (2, 3):
        data += rec(b"")
    if len(data) % 4:
        data += b"\x00" * (4 - len(data) % 4)
    return data


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus",
                                                                 "receiver_datagram")
    os.makedirs(out_dir, exist_ok=True)
    all_seeds = seeds()
    for name, data in sorted(all_seeds.items()):
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(probe_enabled(data))
    print(f"{len(all_seeds)} seeds written to {out_dir}")


if __name__ == "__main__":
    main()
