"""Reference FITS read rates for `deno task bench fits`: astropy and fitsio (cfitsio).

Usage: /usr/bin/python3 tasks/bench/fits_bench.py STAMP_DIR N_STAMPS CORPUS_DIR PASSES [CORPUS_PASSES]
Prints one JSON object: per library its stamp and corpus rates, or why it was skipped.

Stamps: a warm-up pass over the first 1,000 stamps, then PASSES timed passes over
all N_STAMPS files (best pass reported); each read returns the pixel array
(astropy: fits.getdata, fitsio: fitsio.read). Corpus: CORPUS_PASSES (default PASSES) passes over every
file, every HDU's data read (tile-compressed images decompressed, tables read).
Wall time (perf_counter) and process CPU time (process_time) are both reported.
"""
import json
import os
import sys
import time
import warnings


def stamp_paths(d, n):
    return [os.path.join(d, "s%05d.fits" % i) for i in range(n)]


def corpus_paths(d):
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith((".fits", ".fit", ".fz", ".gz")))


def timed_passes(fn, paths, passes):
    best = None
    for _ in range(passes):
        w, c = time.perf_counter(), time.process_time()
        for p in paths:
            fn(p)
        w, c = time.perf_counter() - w, time.process_time() - c
        if best is None or w < best[0]:
            best = (w, c)
    nbytes = sum(os.path.getsize(p) for p in paths)
    w, c = best
    return {"files": len(paths), "bytes": nbytes, "seconds": round(w, 4), "cpu_seconds": round(c, 4),
            "files_per_s": round(len(paths) / w, 1), "MB_per_s": round(nbytes / w / 1e6, 2),
            "files_per_cpu_s": round(len(paths) / c, 1) if c > 0 else None}


def run(read_stamp, read_file, stamps, corpus, passes, corpus_passes):
    for p in stamps[:1000]:
        read_stamp(p)
    return {"stamps": timed_passes(read_stamp, stamps, passes),
            "corpus": timed_passes(read_file, corpus, corpus_passes)}


def main():
    stamp_dir, n, corpus_dir, passes = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    corpus_passes = int(sys.argv[5]) if len(sys.argv) > 5 else passes
    stamps = stamp_paths(stamp_dir, n)
    corpus = corpus_paths(corpus_dir)
    out = {"python": sys.version.split()[0]}
    try:
        import numpy as np
        from astropy.io import fits
        import astropy

        def a_file(p):
            with fits.open(p) as h:
                for hdu in h:
                    d = hdu.data
                    if d is not None:
                        np.asarray(d)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["astropy"] = {"version": astropy.__version__,
                              **run(fits.getdata, a_file, stamps, corpus, passes, corpus_passes)}
    except ImportError as e:
        out["astropy"] = {"skipped": "not importable: %s" % e}
    try:
        import fitsio

        def f_file(p):
            with fitsio.FITS(p) as f:
                for hdu in f:
                    if hdu.has_data():
                        hdu.read()

        out["fitsio"] = {"version": fitsio.__version__,
                         **run(fitsio.read, f_file, stamps, corpus, passes, corpus_passes)}
    except ImportError as e:
        out["fitsio"] = {"skipped": "not importable: %s" % e}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
