#!/usr/bin/env python3
"""Renders resources/icons/factorybench.svg into the Windows .ico and macOS .icns
committed next to it (run once after changing the SVG; needs rsvg-convert).

Hand-written instead of ImageMagick/iconutil because both formats are just PNG
payloads behind a small header (ICO since Vista, ICNS 'icp4'..'ic09'), and
neither tool is available on every developer machine.
"""
import pathlib
import struct
import subprocess
import tempfile

icons = pathlib.Path(__file__).resolve().parents[2] / "resources" / "icons"
svg = icons / "factorybench.svg"


def png(size: int, tmp: pathlib.Path) -> bytes:
    out = tmp / f"{size}.png"
    subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), str(svg), "-o", str(out)], check=True)
    return out.read_bytes()


with tempfile.TemporaryDirectory() as t:
    tmp = pathlib.Path(t)
    ico_sizes = [16, 32, 48, 64, 128, 256]
    images = [png(s, tmp) for s in ico_sizes]
    offset = 6 + 16 * len(images)
    entries = b""
    for size, data in zip(ico_sizes, images):
        # width/height byte 0 means 256
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    (icons / "factorybench.ico").write_bytes(struct.pack("<HHH", 0, 1, len(images)) + entries + b"".join(images))

    body = b""
    for ostype, size in [("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512)]:
        data = png(size, tmp)
        body += ostype.encode() + struct.pack(">I", len(data) + 8) + data
    (icons / "factorybench.icns").write_bytes(b"icns" + struct.pack(">I", len(body) + 8) + body)
