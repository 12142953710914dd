#!/usr/bin/env python3
"""Write the seed corpus of the rtcp_parse fuzz target.

Usage: fuzz/make_rtcp_seeds.py [OUT_DIR]   (default: fuzz/corpus/rtcp_parse)

Small hand-made RTCP datagrams: the compounds real peers send (roc-toolkit
0.4's sender SR + SDES and its XR DLRR, its receiver RR + XR RRTR/MI/DM/QM +
SDES, its BYE after an empty RR + SDES; GStreamer rtpbin's SR/RR + SDES with
several items and BYE with a reason), APP and unknown XR blocks, padding,
and one of each malformed case the parser must reject. Only the seed_*.bin
files are rewritten; files added by libFuzzer (named by their SHA-1) are
left alone. Deterministic: running it again gives the same bytes.
"""
import struct

from seed_util import write_seeds

SR, RR, SDES, BYE, APP, XR = 200, 201, 202, 203, 204, 207


def packet(pt, count, body, version=2, pad=0, pad_count=None, length=None):
    """One sub-packet; body a multiple of 4 bytes. pad = padding bytes
    (count byte included); pad_count and length override the wire fields."""
    body += bytes(max(pad - 1, 0))
    if pad:
        body += bytes([pad if pad_count is None else pad_count])
    words = (4 + len(body)) // 4 - 1 if length is None else length
    b0 = version << 6 | (0x20 if pad else 0) | count
    return struct.pack(">BBH", b0, pt, words) + body


def ntp(unix_s):
    return int((unix_s + 2208988800) * (1 << 32))


def report_block(ssrc, fraction=0, lost=0, ext_seq=0, jitter=0, lsr=0, dlsr=0):
    return struct.pack(">IB", ssrc, fraction) + (lost & 0xFFFFFF).to_bytes(3, "big") + \
        struct.pack(">IIII", ext_seq, jitter, lsr, dlsr)


def sr(ssrc, blocks=(), when=1.5, rtp_ts=0x10000, packets=100, octets=102400, rc=None,
       **kw):
    body = struct.pack(">IQIII", ssrc, ntp(when), rtp_ts, packets, octets) + b"".join(blocks)
    return packet(SR, len(blocks) if rc is None else rc, body, **kw)


def rr(ssrc, blocks=(), rc=None, **kw):
    return packet(RR, len(blocks) if rc is None else rc, struct.pack(">I", ssrc) +
                  b"".join(blocks), **kw)


def chunk(ssrc, items, terminate=True):
    """items: (type, text) pairs; then a zero and zeros to a word."""
    out = struct.pack(">I", ssrc)
    for t, text in items:
        out += bytes([t, len(text)]) + text
    if terminate:
        out += b"\0" * (4 - len(out) % 4)
    return out


def sdes(chunks, sc=None, **kw):
    return packet(SDES, len(chunks) if sc is None else sc, b"".join(chunks), **kw)


def bye(ssrcs, reason=None, sc=None, **kw):
    body = b"".join(struct.pack(">I", s) for s in ssrcs)
    if reason is not None:
        r = bytes([len(reason)]) + reason
        body += r + bytes(-len(r) % 4)
    return packet(BYE, len(ssrcs) if sc is None else sc, body, **kw)


def app(ssrc, name=b"test", data=b"", subtype=0):
    return packet(APP, subtype, struct.pack(">I", ssrc) + name + data)


def xr_block(bt, body, ts=0, words=None):
    return struct.pack(">BBH", bt, ts, len(body) // 4 if words is None else words) + body


def rrtr(when):
    return xr_block(4, struct.pack(">Q", ntp(when)))


def dlrr(items):
    return xr_block(5, b"".join(struct.pack(">III", *i) for i in items))


def mi(ssrc, first=0x1000, ifirst=0x1100, ilast=0x1234, interval=0x3333, cum=10.5):
    return xr_block(14, struct.pack(">IHHIIIQ", ssrc, 0, first, ifirst, ilast, interval,
                                    int(cum * (1 << 32))))


def dm(ssrc, flag=1, mean=0x83, lo=0x41, hi=0xFFFFFFFF, e2e=0.125):
    e2e = 0xFFFFFFFFFFFFFFFF if e2e is None else int(e2e * (1 << 32))
    return xr_block(16, struct.pack(">IIIIQ", ssrc, mean, lo, hi, e2e), ts=flag << 6)


def qm(ssrc, flag=1, latency=0xccd, stalling=0xFFFFFFFF):
    body = struct.pack(">II", ssrc, latency)
    if stalling is not None:
        body += struct.pack(">I", stalling)
    return xr_block(220, body, ts=flag << 6)


def xr(ssrc, blocks, **kw):
    return packet(XR, 0, struct.pack(">I", ssrc) + b"".join(blocks), **kw)


S, R = 0x147F2E84, 0x5A5A0001  # a sender's and a receiver's SSRC
CNAME = (1, b"roc@host")
ROC_SENDER = sr(S, when=1700000000.25) + sdes([chunk(S, [CNAME])])
ROC_RECEIVER = rr(R, [report_block(S, 3, 5, 0x10203, 40, 0x7e808000, 0x8000)]) + \
    xr(R, [rrtr(1700000000.5), mi(S), dm(S), qm(S)]) + sdes([chunk(R, [(1, b"rcv@host")])])

SEEDS = {
    # Valid: what real peers send.
    "seed_valid_roc_sender_sr_sdes": ROC_SENDER,
    "seed_valid_roc_sender_dlrr": sr(S) + xr(S, [dlrr([(R, 0x7e810000, 0x4000)])]) +
    sdes([chunk(S, [CNAME])]),
    "seed_valid_roc_receiver": ROC_RECEIVER,
    "seed_valid_roc_receiver_two_streams": rr(R, [report_block(S), report_block(S + 1)]) +
    xr(R, [rrtr(2.0), mi(S), dm(S), qm(S), mi(S + 1), dm(S + 1, e2e=None),
           qm(S + 1, stalling=0x100)]) + sdes([chunk(R, [CNAME])]),
    "seed_valid_roc_old_qm_2words": rr(R) + xr(R, [qm(S, stalling=None)]),
    "seed_valid_roc_bye": rr(S) + sdes([chunk(S, [CNAME])]) + bye([S]),
    "seed_valid_gst_sr_sdes_items": sr(S, [report_block(R, 0, 0, 100, 2)]) +
    sdes([chunk(S, [(1, b"user@gst"), (6, b"GStreamer 1.22"), (8, b"\x02x-y")])]),
    "seed_valid_gst_rr_two_chunks": rr(R, [report_block(S, 25, 1000, 5000, 9)]) +
    sdes([chunk(R, [(1, b"a@b")]), chunk(S, [(7, b"note"), (1, b"cd")])]),
    "seed_valid_gst_bye_reason": rr(R) + sdes([chunk(R, [(1, b"a@b")])]) +
    bye([R, S], b"session ended"),
    "seed_valid_sr_31_blocks": sr(S, [report_block(i, i, -i, i, i) for i in range(31)]),
    "seed_valid_sr_profile_ext": packet(SR, 0, struct.pack(">IQIII", S, ntp(1), 1, 2, 3) +
                                        b"EXT!"),
    "seed_valid_cum_lost_extremes": rr(R, [report_block(S, lost=-0x800000),
                                           report_block(S, lost=0x7FFFFF)]),
    "seed_valid_app_and_unknown_xr": rr(R) + app(R) +
    xr(R, [xr_block(7, bytes(32)), rrtr(3.0), xr_block(42, b""), dlrr([])]),
    "seed_valid_unknown_type": rr(R) + packet(205, 1, struct.pack(">II", R, S)),
    "seed_valid_padded_last": rr(R) + bye([R], b"pad", pad=8),
    "seed_valid_padded_whole_body": rr(R) + bye([R], pad=4),
    "seed_valid_xr_long_blocks": xr(R, [xr_block(4, bytes(12)), xr_block(220, bytes(16))]),
    "seed_valid_dm_flags": xr(R, [dm(S, flag=f) for f in range(4)] +
                              [qm(S, flag=f) for f in range(4)]),
    "seed_valid_empty_rr": rr(R),
    "seed_valid_empty_sdes_bye": sdes([]) + bye([]),
    # Malformed.
    "seed_bad_empty": b"",
    "seed_bad_short_header": ROC_SENDER[:3],
    "seed_bad_version1": sr(S, version=1),
    "seed_bad_version3_second": rr(R) + sdes([chunk(R, [CNAME])], version=3),
    "seed_bad_length_past_end": ROC_SENDER[:-4],
    "seed_bad_length_short": rr(R, [report_block(S)], length=6) + bytes(4),
    "seed_bad_trailing_bytes": ROC_SENDER + b"\x80\xc9",
    "seed_bad_rc_lie": sr(S, [report_block(R)], rc=2),
    "seed_bad_rr_block_cut": rr(R, [report_block(S)[:20]], rc=1),
    "seed_bad_sr_info_cut": packet(SR, 0, struct.pack(">IQ", S, 0)),
    "seed_bad_sdes_item_past_end": sdes([struct.pack(">I", S) + b"\x01\x09abcdef"]),
    "seed_bad_sdes_no_terminator": sdes([struct.pack(">I", S) + b"\x01\x02ab"]),
    "seed_bad_sdes_sc_more": sdes([chunk(S, [CNAME])], sc=2),
    "seed_bad_sdes_sc_fewer": sdes([chunk(S, [CNAME]), chunk(R, [CNAME])], sc=1),
    "seed_bad_bye_reason_past_end": packet(BYE, 1, struct.pack(">I", S) + b"\x09bye"),
    "seed_bad_bye_sc_lie": bye([S], sc=3),
    "seed_bad_xr_block_past_end": xr(R, [xr_block(4, bytes(8), words=3)]),
    "seed_bad_xr_rrtr_short": xr(R, [xr_block(4, bytes(4))]),
    "seed_bad_xr_mi_short": xr(R, [xr_block(14, bytes(24))]),
    "seed_bad_xr_dm_short": xr(R, [rrtr(1.0), xr_block(16, bytes(20))]),
    "seed_bad_xr_qm_short": xr(R, [xr_block(220, bytes(4))]),
    "seed_bad_xr_dlrr_not_3n": xr(R, [xr_block(5, bytes(16))]),
    "seed_bad_xr_no_ssrc": packet(XR, 0, b""),
    "seed_bad_padding_not_last": rr(R, pad=4) + sdes([chunk(R, [CNAME])]),
    "seed_bad_padding_zero": rr(R) + bye([R], pad=4, pad_count=0),
    "seed_bad_padding_too_big": rr(R) + bye([R], pad=4, pad_count=9),
}


def main():
    write_seeds("rtcp_parse", SEEDS)


if __name__ == "__main__":
    main()
