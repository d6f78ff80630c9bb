#!/usr/bin/env python3
"""Cross-check of joulemark's scenario engine against MLCommons' LoadGen.

Drives joulemark's dense and MoE layers (through libjoulemark's C API) under
the official LoadGen (PyPI package mlcommons-loadgen) in the Offline and
SingleStream scenarios, runs joulemark's own engine on the same workload and
settings, and checks that
  * throughput (Offline samples/s) agrees within 10%,
  * the 90th percentile latency (SingleStream) agrees within 10%,
  * every key of the official mlperf_log_detail.txt for the scenario is in
    ours (keys LoadGen logs only on errors or warnings excepted).
LoadGen is a test-time cross-check only; joulemark never needs it to run.

Usage: crosscheck.py [--lib build/harness/libjoulemark.so] [--out DIR]
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import ctypes
import json
import os
import sys
import tempfile

import mlperf_loadgen as lg

TOLERANCE = 0.10
ATTEMPTS = 3  # the machine is shared: a comparison may be retried
MIN_DURATION_MS = 2000

SHAPES = {
    "dense-layer": {"kind": "dense", "d_model": 256, "n_heads": 4, "d_ff": 1024,
                    "seq_len": 64, "batch_seqs": 4, "threads": 1, "seed": 7},
    "moe-layer": {"kind": "moe", "d_model": 256, "n_heads": 4, "d_ff": 512,
                  "n_experts": 8, "top_k": 1, "capacity_factor": 0.0,
                  "seq_len": 64, "batch_seqs": 4, "threads": 1, "seed": 7},
}


class Lib:
    """ctypes view of libjoulemark (harness/api/joulemark.h)."""

    def __init__(self, path):
        self.c = ctypes.CDLL(path)
        c = self.c
        vp, cp, sz, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int
        c.jm_api_version.restype = i
        c.jm_api_workload_create.argtypes = [cp, ctypes.POINTER(vp), cp, sz]
        c.jm_api_workload_run.argtypes = [vp, i, cp, sz]
        c.jm_api_workload_max_samples.argtypes = [vp]
        c.jm_api_workload_destroy.argtypes = [vp]
        c.jm_api_run_scenario.argtypes = [vp, cp, cp, cp, cp, sz, cp, sz]
        self.err = ctypes.create_string_buffer(1024)

    def check(self, rc, what):
        if rc != 0:
            raise RuntimeError(f"{what}: {self.err.value.decode()}")

    def workload(self, shape):
        w = ctypes.c_void_p()
        self.check(self.c.jm_api_workload_create(json.dumps(shape).encode(), ctypes.byref(w),
                                                 self.err, len(self.err)), "create workload")
        return w

    def run(self, w, n):
        self.check(self.c.jm_api_workload_run(w, n, self.err, len(self.err)), "run workload")

    def scenario(self, w, scenario, settings, log_dir):
        out = ctypes.create_string_buffer(4096)
        self.check(self.c.jm_api_run_scenario(w, scenario.encode(), json.dumps(settings).encode(),
                                              log_dir.encode(), out, len(out), self.err,
                                              len(self.err)), f"joulemark {scenario}")
        return json.loads(out.value.decode())


def detail_keys(path):
    keys = {}
    with open(path) as f:
        for line in f:
            if line.startswith(":::MLLOG "):
                ev = json.loads(line[len(":::MLLOG "):])
                keys[ev["key"]] = ev["value"]
    return keys


def loadgen_run(lib, w, batch, scenario, expected, log_dir):
    """One official LoadGen run on the workload; returns the parsed detail log."""
    def issue(samples):
        i = 0
        while i < len(samples):
            k = min(batch, len(samples) - i)
            lib.run(w, k)
            lg.QuerySamplesComplete([lg.QuerySampleResponse(s.id, 0, 0)
                                     for s in samples[i:i + k]])
            i += k

    settings = lg.TestSettings()
    settings.mode = lg.TestMode.PerformanceOnly
    settings.min_duration_ms = MIN_DURATION_MS
    settings.min_query_count = 1 if scenario == "Offline" else 100
    if scenario == "Offline":
        settings.scenario = lg.TestScenario.Offline
        settings.offline_expected_qps = expected
    else:
        settings.scenario = lg.TestScenario.SingleStream
        # low so LoadGen generates enough queries for the whole duration
        settings.single_stream_expected_latency_ns = int(expected)
    os.makedirs(log_dir, exist_ok=True)
    out = lg.LogOutputSettings()
    out.outdir = log_dir
    out.copy_summary_to_stdout = False
    log = lg.LogSettings()
    log.log_output = out
    sut = lg.ConstructSUT(issue, lambda: None)
    qsl = lg.ConstructQSL(1024, 1024, lambda s: None, lambda s: None)
    lg.StartTestWithLogSettings(sut, qsl, settings, log)
    lg.DestroyQSL(qsl)
    lg.DestroySUT(sut)
    return detail_keys(os.path.join(log_dir, "mlperf_log_detail.txt"))


def conditional(key):
    """Keys LoadGen logs only when something went wrong (or only when invalid)."""
    return key.startswith("error_") or key.startswith("warning_") or key == "result_invalid_reason"


def ours_run(lib, w, scenario, ours_dir, qps):
    if scenario == "Offline":
        r = lib.scenario(w, "Offline", {"min_duration_ms": MIN_DURATION_MS, "target_qps": qps,
                                        "min_query_count": 1}, ours_dir)
        return r, r["samples_per_second"]
    r = lib.scenario(w, "SingleStream", {"min_duration_ms": MIN_DURATION_MS,
                                         "min_query_count": 100}, ours_dir)
    return r, r["p90_latency_ns"]


def compare(name, scenario, lib, w, batch, out_dir):
    """joulemark before, LoadGen, joulemark after: the official figure must lie
    within 10% of the bracket our two runs span (the machine may drift)."""
    failures = []
    qps = 0.0
    if scenario == "Offline":
        # size the query from a short run of our own engine (a ranging run)
        probe = lib.scenario(w, "Offline", {"min_duration_ms": 500, "target_qps": 10},
                             os.path.join(out_dir, name, "probe"))
        qps = probe["samples_per_second"]
    for attempt in range(1, ATTEMPTS + 1):
        base = os.path.join(out_dir, name, scenario)
        before, m1 = ours_run(lib, w, scenario, os.path.join(base, f"joulemark_{attempt}a"), qps)
        if scenario == "Offline":
            official = loadgen_run(lib, w, batch, "Offline", qps,
                                   os.path.join(base, f"loadgen_{attempt}"))
            theirs, what = official["result_samples_per_second"], "samples/s"
        else:
            expected = max(1, before["p50_latency_ns"] // 2)
            official = loadgen_run(lib, w, batch, "SingleStream", expected,
                                   os.path.join(base, f"loadgen_{attempt}"))
            theirs, what = official["result_90.00_percentile_latency_ns"], "p90 latency ns"
        _, m2 = ours_run(lib, w, scenario, os.path.join(base, f"joulemark_{attempt}b"), qps)
        lo, hi = min(m1, m2), max(m1, m2)
        if theirs < lo:
            rel = (lo - theirs) / theirs
        elif theirs > hi:
            rel = (theirs - hi) / hi
        else:
            rel = 0.0
        ours_keys = detail_keys(os.path.join(base, f"joulemark_{attempt}a",
                                             "mlperf_log_detail.txt"))
        missing = sorted(k for k in official if k not in ours_keys and not conditional(k))
        print(f"{name:12s} {scenario:12s} attempt {attempt}: LoadGen {theirs:.6g} {what}, "
              f"joulemark {m1:.6g} before / {m2:.6g} after ({rel * 100:.1f}% outside); "
              f"official keys missing in ours: {len(missing)}", flush=True)
        failures = []
        if missing:
            failures.append(f"{name} {scenario}: keys of the official detail log missing in "
                            f"ours: {', '.join(missing)}")
        if rel > TOLERANCE:
            failures.append(f"{name} {scenario}: LoadGen's {what} {theirs:.6g} is "
                            f"{rel * 100:.1f}% outside joulemark's [{lo:.6g}, {hi:.6g}] "
                            f"(> {TOLERANCE * 100:.0f}%)")
        if not failures or missing:
            break
    return failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default=os.path.join(here, "..", "..", "build", "harness",
                                                  "libjoulemark.so"))
    ap.add_argument("--out", default=None, help="where to keep both sets of logs")
    args = ap.parse_args()
    lib = Lib(os.path.abspath(args.lib))
    out_dir = args.out or tempfile.mkdtemp(prefix="jm_crosscheck_")
    print(f"libjoulemark API {lib.c.jm_api_version()}, LoadGen from mlcommons-loadgen; logs in "
          f"{out_dir}", flush=True)
    failures = []
    for name, shape in SHAPES.items():
        w = lib.workload(shape)
        try:
            lib.run(w, shape["batch_seqs"])  # warm-up
            for scenario in ("Offline", "SingleStream"):
                failures += compare(name, scenario, lib, w, shape["batch_seqs"], out_dir)
        finally:
            lib.c.jm_api_workload_destroy(w)
    for f in failures:
        print("FAIL:", f)
    print("crosscheck:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
