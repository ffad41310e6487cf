#!/usr/bin/env python3
"""Extracts a .deb's data archive into a folder, for machines without dpkg-deb.

usage: python3 deb_extract.py PACKAGE.deb DEST
A .deb is an ar archive holding debian-binary, control.tar.* and data.tar.*
(xz, gz or uncompressed; zstd is not readable by Python's tarfile).
"""
import io
import sys
import tarfile


def members(path):
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise SystemExit(f"{path}: not an ar archive")
        while True:
            header = f.read(60)
            if len(header) < 60:
                return
            name = header[:16].decode().strip().rstrip("/")
            size = int(header[48:58].decode().strip())
            data = f.read(size)
            if size % 2:
                f.read(1)
            yield name, data


def main():
    deb, dest = sys.argv[1], sys.argv[2]
    for name, data in members(deb):
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                if hasattr(tarfile, "tar_filter"):
                    tar.extractall(dest, filter="tar")
                else:
                    tar.extractall(dest)
            return
    raise SystemExit(f"{deb}: no data.tar member")


if __name__ == "__main__":
    main()
