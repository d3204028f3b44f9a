#!/usr/bin/env python3
"""Issue 11's scale run: every service over a store of 1,000,000 customers, measured against the
echo baseline of the same run.

For each service: fill its store with `crm-bench <service> fill` (skipped when the file is
there), read the store once into the OS page cache (unless --cold), start the release
executable on it (time to SERVING, idle resident memory), run
`crm-bench <service> measure` (the service's own scale targets), then `crm load` read and write
scenarios at 128 RPCs in flight (throughput and p99 as a share of the echo baseline, peak
resident memory during the load), and stop it with SIGTERM. The echo baseline is measured
before the first service and again after the last. Writes one JSON per step and
summary.json under --out, and prints the summary as Markdown for BENCHMARKS.md.

    swift build -c release --product crm --product crm-bench --product <service>-service ...
    python3 scripts/bench_scale.py --bin "$(swift build -c release --show-bin-path)"
"""
import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

SERVICES = ["segmentation", "interaction", "feedback", "trust", "loyalty"]
# Each service's fill and measure arguments at the issues' sizes ({c} is --customers); measure
# must be told the counts the fill used.
FILL = {
    "segmentation": "--customers {c} --purchases {p10} --seed 1",
    "interaction": "--customers {c} --interactions {p10} --open-tasks {c} --managers 200 --seed 1",
    "feedback": "--tickets {c} --customers 300000 --agents 200 --seed 1",
    "trust": "--reviews {c} --products {products} --customers {c} --seed 1",
    "loyalty": "--accounts {c} --entries {p20} --seed 1",
}
MEASURE = {
    "segmentation": "--customers {c}",
    "interaction": "--customers {c} --managers 200",
    "feedback": "--tickets {c} --agents 200 --seed 1",
    "trust": "--reviews {c} --products {products} --customers {c}",
    "loyalty": "--accounts {c}",
}
# Extra service flags during the run: feedback's own breach scan would run before measure's.
SERVICE_FLAGS = {"feedback": ["--scan-interval-seconds", "86400"]}


def sized(template, options):
    c = options.customers
    return template.format(c=c, p10=10 * c, p20=20 * c, products=options.products).split()
# (scenario, kind) run by `crm load` against each service's filled store.
LOAD = {
    "segmentation": [("segmentation-read", "read"), ("segmentation-write", "write")],
    "loyalty": [("loyalty-read", "read"), ("loyalty-write", "write")],
    "trust": [("trust-read", "read")],
    "feedback": [("feedback-write", "write")],
    "interaction": [],
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def start_service(binary_dir, service, data_dir, extra):
    args = [os.path.join(binary_dir, f"{service}-service"), "--data-dir", data_dir, "--port", "0",
            "--metrics-port", "0", "--log-level", "warning"] + extra
    started = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    deadline = started + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"{service}-service exited with {process.wait()} before listening")
        match = re.search(r"listening on (\S+)", line)
        if match:
            return process, match.group(1), time.monotonic() - started
    process.kill()
    raise RuntimeError(f"{service}-service did not listen within 120 s")


def interaction_scan_day(data_dir):
    """A day of the last 30 that no run has scanned in this store yet (the fill leaves them to
    the scan, and a day can be scanned once), remembered in the store's directory."""
    path = os.path.join(data_dir, "scanned-days.txt")
    scanned = set(open(path).read().split()) if os.path.exists(path) else set()
    today = datetime.datetime.now(datetime.timezone.utc).date()
    for back in range(30, 0, -1):
        day = (today - datetime.timedelta(days=back)).isoformat()
        if day not in scanned:
            with open(path, "a") as out:
                out.write(day + "\n")
            return day
    raise RuntimeError(f"every day of the last 30 was scanned in {data_dir}: fill the store again")


def warm(store):
    """Reads the store's files once, so the service starts with them in the OS page cache as a
    service that has been running would, whatever the fills and runs before evicted."""
    started = time.monotonic()
    for path in (store, store + "-wal"):
        if os.path.exists(path):
            with open(path, "rb", buffering=0) as data:
                while data.read(8 << 20):
                    pass
    return round(time.monotonic() - started, 1)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def run(args, timeout, **kwargs):
    log("$ " + " ".join(args))
    return subprocess.run(args, timeout=timeout, check=True, **kwargs)


def crm_load(binary_dir, target, scenario, address, options, out):
    run([os.path.join(binary_dir, "crm"), "load", target, "--scenario", scenario, "--addr", address,
         "--connections", "1", "--concurrency", "128", "--duration", str(options.duration),
         "--bulk-customers", str(options.customers), "--bulk-products", str(options.products),
         "--quiet", "--out", out], timeout=options.duration + 120)
    with open(out) as result:
        return json.load(result)


def measure_echo(options, name):
    """The echo baseline: `crm load echo` starts `crm echo-server` itself."""
    out = os.path.join(options.out, name)
    run([os.path.join(options.bin, "crm"), "load", "echo", "--connections", "1", "--concurrency", "128",
         "--duration", str(options.duration), "--quiet", "--out", out], timeout=options.duration + 120)
    with open(out) as result:
        return json.load(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="release bin directory (swift build -c release --show-bin-path)")
    parser.add_argument("--data", default="/tmp/crm-scale", help="where the filled stores live (kept between runs)")
    parser.add_argument("--out", default="bench-results", help="directory for the JSON results")
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds of each load run")
    parser.add_argument("--settle", type=float, default=30, help="seconds between SERVING and the first measurement")
    parser.add_argument("--skip-group-commit", action="store_true")
    parser.add_argument("--cold", action="store_true",
                        help="start each service without first reading its store into the OS page cache")
    options = parser.parse_args()
    os.makedirs(options.out, exist_ok=True)

    summary = {"machine": {"cores": os.cpu_count(), "kernel": os.uname().release}, "services": {}}
    echo = measure_echo(options, "echo.json")
    summary["echo"] = {"throughput": echo["throughput"], "p99_ms": echo["latencyMicroseconds"]["p99"] / 1000}

    for service in options.services.split(","):
        data_dir = os.path.join(options.data, service)
        store = os.path.join(data_dir, f"{service}.sqlite")
        entry = {}
        if not os.path.exists(store):
            os.makedirs(data_dir, exist_ok=True)
            started = time.monotonic()
            run([os.path.join(options.bin, "crm-bench"), service, "fill", "--data-dir", data_dir]
                + sized(FILL[service], options), timeout=3 * 3600)
            entry["fill_seconds"] = round(time.monotonic() - started, 1)
        entry["store_mib"] = round(os.path.getsize(store) / 2**20)
        if not options.cold:
            entry["warm_seconds"] = warm(store)
        process, address, serving = start_service(options.bin, service, data_dir, SERVICE_FLAGS.get(service, []))
        try:
            run_service(options, service, process, address, serving, echo, entry)
        except subprocess.CalledProcessError as failure:
            # A failed call or a non-OK status: recorded, and the other services still run.
            entry["error"] = f"{' '.join(failure.cmd[:4])}... exited with {failure.returncode}"
            log(f"{service}: {entry['error']}")
        finally:
            entry["exit_status"] = stop(process)
        summary["services"][service] = entry
        with open(os.path.join(options.out, "summary.json"), "w") as out:
            json.dump(summary, out, indent=2, sort_keys=True)

    # The echo again after the services: how much the baseline moved during the run.
    echo_end = measure_echo(options, "echo-end.json")
    summary["echo_end"] = {"throughput": echo_end["throughput"], "p99_ms": echo_end["latencyMicroseconds"]["p99"] / 1000}

    if not options.skip_group_commit:
        group_out = os.path.join(options.out, "group-commit.json")
        run([os.path.join(options.bin, "crm-bench"), "group-commit", "--out", group_out], timeout=1800)
        with open(group_out) as result:
            summary["group_commit"] = json.load(result)
    with open(os.path.join(options.out, "summary.json"), "w") as out:
        json.dump(summary, out, indent=2, sort_keys=True)
    print_markdown(summary)


def run_service(options, service, process, address, serving, echo, entry):
    """Measures one running service into `entry`."""

    entry["serving_seconds"] = round(serving, 3)
    # Startup work (segmentation's first lifecycle scan ranks RFM over every profile)
    # settles before the idle figure and the first latency samples.
    time.sleep(options.settle)
    entry["idle_rss_mib"] = round(rss_kib(process.pid) / 1024, 1)
    measure_out = os.path.join(options.out, f"{service}-measure.json")
    extra = []
    if service == "interaction":
        extra = ["--scan-day", interaction_scan_day(os.path.join(options.data, service))]
    run([os.path.join(options.bin, "crm-bench"), service, "measure", "--addr", address,
         "--out", measure_out] + sized(MEASURE[service], options) + extra, timeout=1800)
    with open(measure_out) as result:
        entry["measure"] = json.load(result)
    entry["load"] = {}
    for scenario, kind in LOAD[service]:
        result = crm_load(options.bin, service, scenario, address, options,
                          os.path.join(options.out, f"{service}-{scenario}.json"))
        entry["load"][scenario] = {
            "kind": kind, "throughput": result["throughput"],
            "ratio_to_echo": result["throughput"] / echo["throughput"],
            "p99_ms": result["latencyMicroseconds"]["p99"] / 1000,
            "ok": result["ok"], "requests": result["requests"],
        }
    entry["peak_rss_mib"] = round(rss_kib(process.pid, "VmHWM") / 1024, 1)


def print_markdown(summary):
    echo = summary["echo"]
    print(f"Echo baseline: {echo['throughput']:.0f} RPC/s, p99 {echo['p99_ms']:.2f} ms")
    if "echo_end" in summary:
        end = summary["echo_end"]
        print(f"Echo after the services: {end['throughput']:.0f} RPC/s, p99 {end['p99_ms']:.2f} ms")
    print()
    print("| service | scenario | RPC/s | vs echo | p99 ms | OK/sent |")
    print("|---|---|---:|---:|---:|---:|")
    for service, entry in summary["services"].items():
        for scenario, load in entry.get("load", {}).items():
            print(f"| {service} | {scenario} | {load['throughput']:.0f} | {load['ratio_to_echo']:.0%} | "
                  f"{load['p99_ms']:.2f} | {load['ok']}/{load['requests']} |")
    print("\n| service | store MiB | fill s | SERVING s | idle RSS MiB | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for service, entry in summary["services"].items():
        print(f"| {service} | {entry.get('store_mib')} | {entry.get('fill_seconds', '-')} | "
              f"{entry.get('serving_seconds')} | {entry.get('idle_rss_mib')} | {entry.get('peak_rss_mib')} |")
    for service, entry in summary["services"].items():
        if "error" in entry:
            print(f"\n{service}: {entry['error']}")
        print(f"\n{service} (crm-bench measure):\n")
        print("| figure | value | target | |")
        print("|---|---:|---|---|")
        for figure in entry.get("measure", {}).get("figures", []):
            verdict = {True: "met", False: "missed", None: ""}[figure.get("met")]
            print(f"| {figure['name']} | {figure['value']:.2f} {figure['unit']} | {figure['target']} | {verdict} |")


if __name__ == "__main__":
    main()
