"""Poll speed, side by side: `migwatch poll` against the floor (bench/floor.py) and rss2email.

Run by hand (never a timed test):

    .venv/bin/python bench/poll.py [--r2e /path/to/venv/bin/r2e] [--sizes 200 1600] [--repeat 3]
        [--migwatch before /path/to/older/checkout/.venv/bin/migwatch]

The floor is a bare fetch + parse + store of the same feeds (httpx, feedparser-rs, one executemany);
the table states every tool's CPU per feed as a ratio to it. `--migwatch NAME COMMAND` adds another
migwatch (an older commit's, say) to the same run, so before and after are measured side by side.

Synthetic feeds of 50 items each are served on 127.0.0.1 by a separate process (with ETag, so an
unchanged feed answers 304). Their items link to 127.0.0.1 on a port nothing listens on, so
no article page is fetched and no DNS is asked: feedparser-rs blanks links to private addresses,
and the address policy (monitors/feeds/urls.py) would refuse them without a connection. Each tool polls them cold (empty state) and unchanged (every feed
answers 304), at two sizes; a Prefect server is started first and migwatch talks to it, as in
production. From the two sizes: slope = cost per feed, intercept = fixed cost of one process.
Each measurement is repeated (--repeat, each time from empty state for cold) and the median kept:
single runs on a shared machine vary by a second or more. Peak RSS is the whole process (and its
helper process), sampled from /proc every 20 ms (and never less than wait4's own peak); the table
shows the largest of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGWATCH = Path(sys.executable).parent / "migwatch"
ITEMS_PER_FEED = 50
TOPICAL = [
    "Piantedosi and Cooper agree plan on small boats in Rome",
    "More than 1,200 migrants crossed the Channel on Saturday, Home Office says",
    "Meloni and Starmer discuss Albania migrant centres",
]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, never listened, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Where the items link to; main() sets the port before the feed server starts.
LINK_PORT = [closed_port()]


@functools.cache
def synthetic_feed(number: int, items: int = ITEMS_PER_FEED) -> bytes:
    parts = []
    site = f"http://127.0.0.1:{LINK_PORT[0]}/news{number % 97}"
    for i in range(items):
        title = TOPICAL[number % 3] if i == 0 else f"Council {number} approves budget item {i} after debate"
        parts.append(
            f"<item><title>{title} ({number}-{i})</title>"
            f"<link>{site}/{number}/{i}?utm_source=rss</link>"
            f"<guid>{site}/{number}/{i}</guid>"
            f"<pubDate>Mon, 02 Jun 2025 {i % 24:02d}:00:00 +0000</pubDate>"
            f"<description>&lt;p&gt;Officials said on Tuesday that item {i} of feed {number} would be "
            "reviewed later this year after a consultation with local councils and residents.&lt;/p&gt;"
            "</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {number}</title><link>http://127.0.0.1:{LINK_PORT[0]}/</link>"
        f"<description>Synthetic feed {number}</description>{''.join(parts)}</channel></rss>"
    ).encode()


@functools.cache
def _etag(number: int) -> str:
    return '"' + hashlib.sha1(synthetic_feed(number)).hexdigest()[:16] + '"'


def respond(path: str, if_none_match: str | None) -> bytes:
    try:
        number = int(path.strip("/").split("/")[-1].removesuffix(".xml"))
    except ValueError:
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    etag = _etag(number)
    if if_none_match == etag:
        return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
    body = synthetic_feed(number)
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
        f"ETag: {etag}\r\nLast-Modified: Mon, 02 Jun 2025 12:00:00 GMT\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 with keep-alive, one task per connection: the feed server must not be the bottleneck."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            etag = next((v for k, v in headers.items() if k.lower() == "if-none-match"), None)
            writer.write(respond(path, etag))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


def serve(port: int, link_port: int) -> None:
    LINK_PORT[0] = link_port  # the same links as the parent's, whichever way the process started

    async def main() -> None:
        server = await asyncio.start_server(_connection, "127.0.0.1", port, backlog=512)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds:.0f}s")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, now (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue  # it ended meanwhile
    return total


def measure(command: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:  # the helper process's memory counts too: sum the tree, every 20 ms
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed ({process.returncode}): {errors.decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, peak[0]) / 1024)


def migwatch_runs(
    migwatch: str, size: int, base: str, work: Path, env: dict[str, str], attempt: int
) -> tuple[Run, Run]:
    feeds = work / f"feeds-{size}.txt"
    feeds.write_text("".join(f"{base}/feed/{n}.xml\n" for n in range(size)))
    tag = hashlib.sha1(migwatch.encode()).hexdigest()[:8]
    db = f"sqlite:///{work / f'migwatch-{tag}-{size}-{attempt}.db'}"  # a new, empty database: cold
    command = [migwatch, "poll", "--feeds", str(feeds), "--db", db, "--format", "json"]
    return measure(command, env), measure(command, env)


def floor_runs(size: int, base: str, work: Path, env: dict[str, str], attempt: int) -> tuple[Run, Run]:
    """bench/floor.py: httpx, feedparser-rs and one executemany, the least Python does here."""
    feeds = work / f"feeds-{size}.txt"
    feeds.write_text("".join(f"{base}/feed/{n}.xml\n" for n in range(size)))
    command = [sys.executable, str(ROOT / "bench" / "floor.py"), "--feeds", str(feeds)]
    command += ["--db", str(work / f"floor-{size}-{attempt}.sqlite")]
    return measure(command, env), measure(command, env)


def r2e_runs(
    r2e: str, size: int, base: str, work: Path, env: dict[str, str], attempt: int
) -> tuple[Run, Run]:
    config, data = work / f"r2e-{size}.cfg", work / f"r2e-{size}-{attempt}.json"
    sections = "".join(f"\n[feed.f{n:05d}]\nurl = {base}/feed/{n}.xml\n" for n in range(size))
    config.write_text(f"[DEFAULT]\nto = bench@example.org\nfrom = bench@example.org\n{sections}")
    command = [r2e, "-c", str(config), "-d", str(data), "run", "--no-send"]
    return measure(command, env), measure(command, env)


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_rss_mb for r in runs),
    )


def start_prefect(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING"
    )
    prefect = str(Path(sys.executable).parent / "prefect")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    wait_for(f"{api}/health", 120)
    return server, api


def line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def fit(small: int, large: int, a: float, b: float) -> tuple[float, float]:
    slope = (b - a) / (large - small)
    return slope, a - slope * small


def print_table(
    results: dict[tuple[str, str, int], Run], tools: list[str], sizes: tuple[int, int], repeat: int
) -> None:
    small, large = sizes
    print(
        f"Synthetic feeds x {ITEMS_PER_FEED} items on loopback; sizes {small} and {large} feeds; "
        f"median of {repeat} run(s) each.\n"
    )
    print(
        line(
            [
                "tool",
                "state",
                f"wall {small} (s)",
                f"wall {large} (s)",
                "per feed (ms)",
                "fixed (s)",
                "CPU per feed (ms)",
                "CPU fixed (s)",
                "CPU per feed / floor",
                f"peak RSS {large} (MB)",
            ]
        )
    )
    print(line(["---"] * 10))
    cpu_slopes: dict[tuple[str, str], float] = {}
    for state in ("cold", "unchanged"):
        a, b = results["floor", state, small], results["floor", state, large]
        cpu_slopes["floor", state] = fit(small, large, a.cpu, b.cpu)[0]
    slopes: dict[tuple[str, str], float] = {}
    for tool in tools:
        for state in ("cold", "unchanged"):
            a, b = results[tool, state, small], results[tool, state, large]
            slope, intercept = fit(small, large, a.wall, b.wall)
            slopes[tool, state] = slope
            cpu_slope, cpu_intercept = fit(small, large, a.cpu, b.cpu)
            ratio = cpu_slope / max(cpu_slopes["floor", state], 1e-9)
            cells = [f"{a.wall:.2f}", f"{b.wall:.2f}", f"{slope * 1000:.2f}", f"{intercept:.2f}"]
            cpu = [f"{cpu_slope * 1000:.2f}", f"{cpu_intercept:.2f}", f"{ratio:.1f}x"]
            print(line([tool, state, *cells, *cpu, f"{b.peak_rss_mb:.0f}"]))
    if "rss2email" in tools:
        for state in ("cold", "unchanged"):
            ratio = slopes["rss2email", state] / max(slopes["migwatch", state], 1e-9)
            print(f"\nper feed, {state}: migwatch is {ratio:.1f}x cheaper than rss2email")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs=2, type=int, default=[200, 1600], metavar=("SMALL", "LARGE"))
    parser.add_argument("--r2e", default=shutil.which("r2e"), help="rss2email's r2e command")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is kept")
    parser.add_argument(
        "--migwatch",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "COMMAND"),
        help="another migwatch to measure beside this one, e.g. an older checkout's .venv/bin/migwatch",
    )
    args = parser.parse_args()
    small, large = args.sizes
    work = Path(tempfile.mkdtemp(prefix="migwatch-bench-"))
    port = free_port()
    feeds_server = multiprocessing.Process(target=serve, args=(port, LINK_PORT[0]), daemon=True)
    feeds_server.start()
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/feed/0.xml", 10)
    prefect_server, api = start_prefect(work / "prefect")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MIGWATCH_"))}
    env.update(
        PREFECT_HOME=str(work / "prefect"), PREFECT_API_URL=api, HOME=str(work), XDG_CONFIG_HOME=str(work)
    )
    tools: dict[str, Callable[[int, int], tuple[Run, Run]]] = {
        "migwatch": lambda size, attempt: migwatch_runs(str(MIGWATCH), size, base, work, env, attempt)
    }
    for name, command in args.migwatch:

        def other(size: int, attempt: int, command: str = command) -> tuple[Run, Run]:
            return migwatch_runs(command, size, base, work, env, attempt)

        tools[name] = other
    if args.r2e:
        tools["rss2email"] = lambda size, attempt: r2e_runs(args.r2e, size, base, work, env, attempt)
    tools["floor"] = lambda size, attempt: floor_runs(size, base, work, env, attempt)
    runs: dict[tuple[str, str, int], list[Run]] = {}
    try:
        # the tools and sizes take turns, so a slow spell of the machine hits all of them alike
        for attempt in range(max(1, args.repeat)):
            for size in (small, large):
                for tool, run in tools.items():
                    cold, unchanged = run(size, attempt)
                    runs.setdefault((tool, "cold", size), []).append(cold)
                    runs.setdefault((tool, "unchanged", size), []).append(unchanged)
                    print(f"{tool} {size} feeds: cold {cold}, unchanged {unchanged}", file=sys.stderr)
    finally:
        prefect_server.terminate()
        prefect_server.wait(30)
        feeds_server.terminate()
    results = {key: median_run(values) for key, values in runs.items()}
    print_table(results, list(tools), (small, large), max(1, args.repeat))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
