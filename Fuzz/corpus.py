#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from the golden streams and the config examples.

    Fuzz/corpus.py VECTORS CONFIG_DIR OUT

writes OUT/stream (mode byte, chunking byte, body: see StreamFuzzTarget.swift), OUT/header
(each object header of the golden streams, hlen bytes) and OUT/config (the config files).
"""
import glob
import os
import struct
import sys

PDU_STREAM, LAST_PDU = 1 << 60, 1 << 61
FLAGS = 0xF << 60


def frames(body):
    """The object headers of a plain or PDU stream body, in order."""
    at = 0
    while at + 16 <= len(body):
        (word,) = struct.unpack_from(">Q", body, at)
        hlen, flags = word & ~FLAGS, word & FLAGS
        header = body[at + 16 : at + 16 + hlen]
        at += 16 + hlen
        yield header
        size = object_size(header)
        if size == 0:
            continue
        if flags & PDU_STREAM:
            while True:
                (word,) = struct.unpack_from(">Q", body, at)
                at += 16 + (word & ~FLAGS)
                if word & LAST_PDU:
                    break
        else:
            at += size


def object_size(header):
    """ObjAttrs.Size: after SID, opcode, five strings, opaque and demux (WIRE.md 2.2)."""
    at = 0

    def skip():
        nonlocal at
        (n,) = struct.unpack_from(">H", header, at)
        at += 2 + n

    skip()
    at += 2
    for _ in range(7):
        skip()
    (size,) = struct.unpack_from(">q", header, at)
    return size


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(vectors, config_dir, out):
    for name in ("stream", "header", "config"):
        os.makedirs(os.path.join(out, name), exist_ok=True)
    headers = set()
    for path in sorted(glob.glob(os.path.join(vectors, "*.bin"))):
        name = os.path.basename(path)
        if name.endswith(".raw.bin"):
            continue  # whole HTTP requests, not bodies
        with open(path, "rb") as f:
            body = f.read()
        stem = name[: -len(".bin")]
        if name == "lz4.body.bin":
            write(os.path.join(out, "stream", stem + ".lz4"), bytes([1, 0x5A]) + body)
            continue
        # Plain, in one piece and in single bytes; compressed here with 64 KiB and 4 MiB blocks.
        write(os.path.join(out, "stream", stem + ".whole"), bytes([0, 0]) + body)
        write(os.path.join(out, "stream", stem + ".chunked"), bytes([0, 0x5A]) + body)
        write(os.path.join(out, "stream", stem + ".packed"), bytes([2, 0x33]) + body)
        write(os.path.join(out, "stream", stem + ".packed4m"), bytes([11, 0x07]) + body)
        headers.update(frames(body))
    for i, header in enumerate(sorted(headers)):
        write(os.path.join(out, "header", "header-%02d" % i), header)
    for path in sorted(glob.glob(os.path.join(config_dir, "*.json"))):
        with open(path, "rb") as f:
            write(os.path.join(out, "config", os.path.basename(path)), f.read())


if __name__ == "__main__":
    main(*sys.argv[1:4])
