"""A classroom without browsers: N sessions speaking Streamlit's own websocket protocol.

Each simulated student does what the browser does, with Streamlit's protobuf messages
(streamlit.proto BackMsg / ForwardMsg) over `/_stcore/stream`:

1. GET the page (as a browser would; a reverse proxy's sticky-session cookie arrives here),
2. open the websocket with that cookie and send `rerun_script` with the page name
   ("attention") and the query string `model=...&text=...` (what a shared link holds),
3. then, at a student's pace (think time drawn from --think, default 10-30 s), "type" a new
   sentence of 16-64 tokens: `rerun_script` with the Sentence box's widget state, exactly
   what the frontend sends when Enter is pressed.

For every typed sentence it times Enter (the BackMsg sent) to the new heatmap's data
(the plotly_chart delta whose row labels are this sentence's tokens) and to the end of the
run (script_finished). Cross-talk: every heatmap a session receives must carry its own
tokens; one carrying another session's sentence is counted. Errors: timeouts, closed
sockets, exceptions or error boxes on the page, a run that ends without the heatmap.

Safety: it only talks to 127.0.0.1 / localhost, refuses more than MAX_SESSIONS sessions
or MAX_DURATION_S seconds, and every run stops by itself (a hard deadline cancels whatever
is still waiting).

    python deploy/ws_classroom.py --sessions 30                      # starts its own server
    python deploy/ws_classroom.py --sessions 60 --replicas 2         # two replicas behind nginx (cluster.py)
    python deploy/ws_classroom.py --url http://127.0.0.1:8501 --sessions 10
    python deploy/ws_classroom.py --capacity 10,30,60,100 [--replicas 2]   # the capacity table

`python bench/ws_load.py ...` is the same command with `--save NAME` (the rows in bench/out/NAME.json, as
bench/RESULTS.md quotes them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "deploy"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

MAX_SESSIONS = 300
MAX_DURATION_S = 1800
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MODEL = "bert-minilm-l6"
WORDS = [
    "river",
    "mountain",
    "teacher",
    "violin",
    "harbour",
    "garden",
    "engine",
    "candle",
    "forest",
    "winter",
    "lantern",
    "meadow",
    "pilot",
    "orchard",
    "canyon",
    "glacier",
    "compass",
    "harvest",
    "library",
    "marble",
    "bridge",
    "island",
    "village",
    "market",
    "thunder",
    "quiet",
    "yellow",
    "ancient",
    "gentle",
    "narrow",
    "bright",
    "silver",
    "broken",
    "hidden",
    "distant",
]


# ---------------------------------------------------------------- sentences and their tokens


def load_tokenizer():
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    return AutoTokenizer.from_pretrained(student.teacher_path())


def expected_labels(tokenizer, text: str) -> list[str]:
    """The heatmap's row labels for `text` (what /attention puts on its y axis: the canvas heatmap's plain-text
    labels, app/heatmap)."""
    from app.heatmap import token_labels

    return token_labels(tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"]))


def chart_rows(el, kind: str) -> list[str] | None:
    """The row labels of a heatmap element: a Plotly chart's first trace, or /attention's canvas heatmap
    (app/heatmap's payload); None for another component."""
    if kind == "plotly_chart":
        data = json.loads(el.plotly_chart.spec).get("data") or [{}]
        return [str(x) for x in (data[0].get("y") or [])]
    if el.bidi_component.component_name != "bertviz.heatmap":
        return None
    from app.heatmap import encode

    return [str(x) for x in encode.unpack(el.bidi_component.bytes)[0]["y_labels"]]


def make_sentence(
    tokenizer, session: int, round_: int, rng: random.Random, lo: int = 16, hi: int = 64, tag: str = ""
) -> str:
    """A sentence of lo..hi tokens ([CLS]/[SEP] included) that names its session and round, so
    any heatmap tells whose sentence it shows: 'student 7 round 2 writes about the ...'.

    `tag` (e.g. 'class 30 run 5123': the capacity level and a per-run number) makes every
    sentence of a run new to the server: the app caches traces per sentence across sessions, and
    a student typing a sentence another already typed would be served from that cache without a
    forward pass (the capacity table must measure forward passes)."""
    want = rng.randint(lo, hi)
    words = f"student {session} round {round_} {tag} writes about the".split()
    while True:
        candidate = words + [rng.choice(WORDS)]
        if len(tokenizer(" ".join(candidate) + ".")["input_ids"]) > want:
            break
        words = candidate
    return " ".join(words) + "."


def owner_of(labels: list[str]) -> int | None:
    """The session a heatmap's labels belong to (from 'student N'), or None. Labels of repeated
    tokens carry their position as a subscript ('0<sub>2</sub>' in Plotly, '0₂' on the canvas): stripped first."""
    bare = [re.sub(r"<sub>\d+</sub>$|[₀-₉]+$", "", x) for x in labels]
    for a, b in itertools.pairwise(bare):
        if a == "student" and b.isdigit():
            return int(b)
    return None


# ---------------------------------------------------------------- the protocol


@dataclass
class RunResult:
    chart_s: float | None = None  # BackMsg sent -> plotly_chart with the expected labels received
    finished_s: float | None = None  # BackMsg sent -> script_finished
    foreign: list = field(default_factory=list)  # label lists of other sessions' sentences
    problems: list = field(default_factory=list)  # error descriptions
    bytes_in: int = 0


class StreamlitClient:
    """One browser tab's worth of Streamlit protocol over a websocket."""

    def __init__(self, base_url: str, cookies: dict | None = None):
        u = urlparse(base_url)
        if u.hostname not in LOOPBACK:
            raise ValueError(f"ws_classroom only talks to the local machine, not {u.hostname!r}")
        self.host, self.port = u.hostname, u.port or 80
        self.cookies = dict(cookies or {})
        self.headers_101: dict = {}
        self.ws = None
        self.page_hash = ""
        self.query = ""
        self.text_widget_id = None
        self.tab_widget_id = None

    def get_page(self, path: str, timeout: float = 30) -> dict:
        """GET a page like a browser (keeps Set-Cookie); returns the response headers."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers=self._cookie_header())
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {resp.status}")
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    k, _, v = value.split(";", 1)[0].partition("=")
                    self.cookies[k.strip()] = v.strip()
            return {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()

    def _cookie_header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def connect(self, timeout: float = 30):
        import websockets

        self.ws = await websockets.connect(
            f"ws://{self.host}:{self.port}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=self._cookie_header(),
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,
            compression=None,
        )
        self.headers_101 = {k.lower(): v for k, v in self.ws.response.headers.raw_items()}

    async def close(self):
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def open_page(self, page: str, query: dict, expected: list[str], timeout: float) -> RunResult:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = urlencode(query, quote_via=quote)
        msg.rerun_script.page_name = page
        return await self._run(msg, expected, timeout)

    async def type_sentence(self, text: str, expected: list[str], timeout: float) -> RunResult:
        """What the frontend sends when Enter is pressed in the Sentence box."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if self.text_widget_id is None:
            raise RuntimeError("the page showed no Sentence box")
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = self.page_hash
        w = msg.rerun_script.widget_states.widgets.add()
        w.id = self.text_widget_id
        w.string_value = text
        return await self._run(msg, expected, timeout)

    async def _run(self, msg, expected: list[str], timeout: float) -> RunResult:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.exceptions import ConnectionClosed

        res = RunResult()
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                res.problems.append("timeout")
                return res
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                res.problems.append("timeout")
                return res
            except ConnectionClosed as exc:  # the socket closed
                res.problems.append(f"socket: {type(exc).__name__}")
                return res
            res.bytes_in += len(data)
            fm = ForwardMsg.FromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, expected, res, t0)
            elif kind == "delta" and fm.delta.WhichOneof("type") == "add_block":
                if fm.delta.add_block.WhichOneof("type") == "tab_container":  # st.tabs(key=..., on_change=...)
                    self.tab_widget_id = fm.delta.add_block.tab_container.id
            elif kind == "navigation":
                self.page_hash = fm.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "page_not_found":
                res.problems.append("page not found")
            elif kind == "ref_hash":
                res.problems.append("unexpected cached-message reference")
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the script asked for a rerun: the next run carries the page
                res.finished_s = time.perf_counter() - t0
                if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    res.problems.append("script compile error")
                if res.chart_s is None and not res.problems:
                    res.problems.append("run finished without this sentence's heatmap")
                return res

    def _element(self, el, expected, res: RunResult, t0: float):
        kind = el.WhichOneof("type")
        if kind == "text_input" and el.text_input.id.endswith("-text"):
            self.text_widget_id = el.text_input.id
        elif kind in ("plotly_chart", "bidi_component"):
            labels = chart_rows(el, kind)
            if labels is None:
                return
            if labels == expected:
                if res.chart_s is None:
                    res.chart_s = time.perf_counter() - t0
            else:
                res.foreign.append(labels)
        elif kind == "exception":
            res.problems.append(f"exception: {el.exception.type}: {el.exception.message[:120]}")
        elif kind == "alert" and el.alert.format == 1:  # ERROR box
            res.problems.append(f"error box: {el.alert.body[:120]}")


# ---------------------------------------------------------------- sessions


@dataclass
class Config:
    base_url: str
    sessions: int
    rounds: int = 3  # sentences typed after opening the page
    think: tuple = (10.0, 30.0)  # seconds between sentences (a student reading, then typing)
    ramp_s: float = 20.0  # students open the link spread over this many seconds
    timeout_s: float = 60.0  # one request's limit
    duration_s: float = 300.0  # hard limit for the whole run
    seed: int = 0
    page: str = "attention"
    tag: str = ""  # in every sentence (see make_sentence): new sentences per level and run


async def run_session(i: int, cfg: Config, tokenizer, out: dict, stop_at: float, cookies=None):
    rng = random.Random(f"{cfg.seed}/{cfg.sessions}/{cfg.tag}/{i}")
    await asyncio.sleep(cfg.ramp_s * i / max(cfg.sessions, 1))
    client = StreamlitClient(cfg.base_url, cookies)
    rec = {"session": i, "first_s": None, "typed": [], "replica": None}
    out["sessions"].append(rec)
    mine: set = set()
    try:
        headers = await asyncio.to_thread(client.get_page, f"/{cfg.page}")
        await client.connect(timeout=cfg.timeout_s)
        rec["replica"] = client.headers_101.get("x-bertviz-replica") or headers.get("x-bertviz-replica")
        text = make_sentence(tokenizer, i, 0, rng, tag=cfg.tag)
        out["texts"].append(text)
        want = expected_labels(tokenizer, text)
        mine.add(tuple(want))
        res = await client.open_page(cfg.page, {"model": MODEL, "text": text}, want, cfg.timeout_s)
        rec["first_s"] = res.chart_s
        account(out, i, 0, res, mine)
        for r in range(1, cfg.rounds + 1):
            await asyncio.sleep(rng.uniform(*cfg.think))
            if time.perf_counter() + cfg.timeout_s > stop_at:
                out["cut_short"] += 1
                break
            text = make_sentence(tokenizer, i, r, rng, tag=cfg.tag)
            out["texts"].append(text)
            want = expected_labels(tokenizer, text)
            mine.add(tuple(want))
            res = await client.type_sentence(text, want, cfg.timeout_s)
            rec["typed"].append(
                {
                    "round": r,
                    "tokens": len(want),
                    "chart_s": res.chart_s,
                    "finished_s": res.finished_s,
                    "bytes": res.bytes_in,
                }
            )
            account(out, i, r, res, mine)
            if any(p.startswith("socket") for p in res.problems):
                break
    except Exception as exc:  # noqa: BLE001 - one student's failure is an error in the summary, not the run's end
        out["errors"].append(f"session {i}: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        await client.close()


def account(out, session, round_, res: RunResult, mine: set):
    """Add one typed sentence's result to the summary `out`: its problems as errors, and every heatmap of a
    foreign sentence as cross-talk (another student's, with its owner) or stale (`mine`: this student's own
    earlier sentences)."""
    for p in res.problems:
        out["errors"].append(f"session {session} round {round_}: {p}")
    for labels in res.foreign:
        if tuple(labels) in mine:
            out["stale"] += 1  # its own earlier sentence (not expected, but not another student's)
        else:
            out["crosstalk"] += 1
            out["crosstalk_detail"].append({"session": session, "round": round_, "owner": owner_of(labels)})


def percentile(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not xs:
        return None
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(q / 100 * len(xs) + 0.5) - 1))
    return xs[k]


async def run_load(cfg: Config, tokenizer=None) -> dict:
    """Run `cfg.sessions` students against cfg.base_url; return the summary."""
    if not 1 <= cfg.sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be 1..{MAX_SESSIONS}")
    if not 0 < cfg.duration_s <= MAX_DURATION_S:
        raise ValueError(f"duration must be in (0, {MAX_DURATION_S}] s")
    if urlparse(cfg.base_url).hostname not in LOOPBACK:
        raise ValueError("ws_classroom only targets 127.0.0.1 / localhost")
    tokenizer = tokenizer or load_tokenizer()
    out = {
        "sessions": [],
        "errors": [],
        "crosstalk": 0,
        "crosstalk_detail": [],
        "stale": 0,
        "cut_short": 0,
        "texts": [],
    }
    t0 = time.perf_counter()
    stop_at = t0 + cfg.duration_s
    load_before = os.getloadavg()
    tasks = [asyncio.ensure_future(run_session(i, cfg, tokenizer, out, stop_at)) for i in range(cfg.sessions)]
    _done, pending = await asyncio.wait(tasks, timeout=cfg.duration_s + 5)
    for task in pending:  # the hard deadline: whatever still waits is cancelled and counted
        task.cancel()
        out["errors"].append("session still running at the hard deadline")
    if pending:
        await asyncio.wait(pending, timeout=10)
    wall = time.perf_counter() - t0
    typed = [x for s in out["sessions"] for x in s["typed"]]
    chart = [x["chart_s"] for x in typed if x["chart_s"] is not None]
    finished = [x["finished_s"] for x in typed if x["finished_s"] is not None]
    first = [s["first_s"] for s in out["sessions"] if s["first_s"] is not None]
    replicas = {}
    for s in out["sessions"]:
        replicas[s["replica"] or "-"] = replicas.get(s["replica"] or "-", 0) + 1
    return {
        "url": cfg.base_url,
        "sessions": cfg.sessions,
        "rounds": cfg.rounds,
        "think_s": list(cfg.think),
        "ramp_s": cfg.ramp_s,
        "timeout_s": cfg.timeout_s,
        "duration_s": cfg.duration_s,
        "typed_requests": len(typed),
        "answered": len(chart),
        "tokens_range": [
            min((x["tokens"] for x in typed), default=None),
            max((x["tokens"] for x in typed), default=None),
        ],
        "p50_s": statistics.median(chart) if chart else None,
        "p95_s": percentile(chart, 95),
        "max_s": max(chart) if chart else None,
        "finished_p50_s": statistics.median(finished) if finished else None,
        "finished_p95_s": percentile(finished, 95),
        "first_load_p50_s": statistics.median(first) if first else None,
        "first_load_p95_s": percentile(first, 95),
        "errors": len(out["errors"]),
        "error_detail": out["errors"][:20],
        "crosstalk": out["crosstalk"],
        "crosstalk_detail": out["crosstalk_detail"][:20],
        "stale": out["stale"],
        "cut_short": out["cut_short"],
        "sessions_per_replica": replicas,
        "sentences_sent": len(out["texts"]),
        "distinct_sentences": len(set(out["texts"])),
        "texts": out["texts"],
        "throughput_rps": len(chart) / wall if wall else None,
        "wall_s": wall,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------- servers


def proc_stats(pid: int) -> dict:
    """CPU seconds and peak RSS of a process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        cpu = (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
        with open(f"/proc/{pid}/status") as f:
            peak = next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM"))
        return {"cpu_s": cpu, "peak_rss_mb": peak}
    except OSError:
        return {}


# Streamlit runs a full gc.collect(2) after every script run (runner.postScriptGC, on by default),
# holding the GIL for every session of the process; --no-post-gc measures the server without it.
NO_POST_GC = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"}


@contextlib.contextmanager
def target(url: str | None, replicas: int, env: dict | None = None):
    """Yield (base_url, [server pids]): the given URL, one fresh server, or replicas behind nginx."""
    if url:
        yield url, []
    elif replicas <= 1:
        from local_app import streamlit_server

        with streamlit_server(timeout=300, env=env) as server:
            yield server.base_url, [server.pid]
    else:
        import cluster

        with cluster.running(
            replicas=replicas,
            listen="127.0.0.1:0",
            env=env,
            timeout=300,
            post_script_gc=not env or env.get("STREAMLIT_RUNNER_POST_SCRIPT_GC") != "false",
        ) as c:
            yield c.base_url, [p.pid for p in c.replicas]


async def warm_up(base_url: str, tokenizer, clients: int = 1):
    """Open the page and type once per client (loads the model, first imports) before timing."""
    cfg = Config(
        base_url,
        sessions=clients,
        rounds=1,
        think=(0.0, 0.0),
        ramp_s=0,
        timeout_s=300,
        duration_s=600,
        seed=999,
        tag=f"warm {random.randrange(10**6)}",
    )
    return await run_load(cfg, tokenizer)


def run_levels(levels, replicas, url, cfg_kwargs, env=None, on_level=None) -> list[dict]:
    """Run one class size after another on one target; `on_level(rows)` after each level (bench/ws_load.py
    saves them there, so a run stopped from outside keeps what it measured)."""
    tokenizer = load_tokenizer()
    rows = []
    run_id = random.Random().randrange(10**4)  # a number per run: a second run on the same server misses too
    with target(url, replicas, env) as (base, pids):
        warm = asyncio.run(warm_up(base, tokenizer, clients=max(1, 2 * replicas)))
        print("warm-up", {k: warm[k] for k in ("errors", "p50_s", "sessions_per_replica")}, flush=True)
        seen = set(warm["texts"])
        for n in levels:
            before = {pid: proc_stats(pid) for pid in pids}
            summary = asyncio.run(
                run_load(Config(base, sessions=n, tag=f"class {n} run {run_id}", **cfg_kwargs), tokenizer)
            )
            after = {pid: proc_stats(pid) for pid in pids}
            texts = summary.pop("texts")
            # every sentence new to the server: none typed twice in this level nor in an earlier one
            summary["sentences_seen_before"] = sum(1 for t in texts if t in seen)
            seen.update(texts)
            summary["replicas"] = max(1, replicas)
            summary["server_env"] = env or {}
            summary["server_cpu_s"] = sum(after[p].get("cpu_s", 0) - before[p].get("cpu_s", 0) for p in pids)
            summary["server_peak_rss_mb"] = [after[p].get("peak_rss_mb") for p in pids]
            runs = summary["sentences_sent"]  # one script run with a forward pass per sentence sent
            summary["server_cpu_per_sentence_s"] = summary["server_cpu_s"] / runs if runs else None
            rows.append(summary)
            print(
                json.dumps(
                    {
                        k: (round(v, 3) if isinstance(v, float) else v)
                        for k, v in summary.items()
                        if k not in ("error_detail", "crosstalk_detail")
                    }
                ),
                flush=True,
            )
            if on_level:
                on_level(rows)
    return rows


def arg_parser() -> argparse.ArgumentParser:
    """The command line of main(); bench/ws_load.py adds --save to it."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server on 127.0.0.1 (default: start one)")
    ap.add_argument("--replicas", type=int, default=1, help="start this many replicas behind nginx (deploy/cluster.py)")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--capacity", help="comma-separated session counts, run one after another on one server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--think", default="10:30", help="seconds between sentences, min:max")
    ap.add_argument("--ramp", type=float, default=20.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--duration", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-post-gc", action="store_true", help="start the server(s) with runner.postScriptGC off")
    return ap


def main(argv=None, ap: argparse.ArgumentParser | None = None, on_level=None):
    """Run the command line: `ap` (arg_parser(), perhaps with more options) and `on_level(args, rows)` (after
    each level) let bench/ws_load.py add --save. Exit status 0 when no level had an error or cross-talk."""
    ap = ap or arg_parser()
    a = ap.parse_args(argv)
    lo, hi = (float(x) for x in a.think.split(":"))
    levels = [int(x) for x in a.capacity.split(",")] if a.capacity else [a.sessions]
    if any(not 1 <= n <= MAX_SESSIONS for n in levels):
        ap.error(f"sessions must be 1..{MAX_SESSIONS}")
    if not 0 < a.duration <= MAX_DURATION_S:
        ap.error(f"--duration must be in (0, {MAX_DURATION_S}]")
    if a.url and urlparse(a.url).hostname not in LOOPBACK:
        ap.error("--url must be on 127.0.0.1 / localhost")
    cfg_kwargs = {
        "rounds": a.rounds,
        "think": (lo, hi),
        "ramp_s": a.ramp,
        "timeout_s": a.timeout,
        "duration_s": a.duration,
        "seed": a.seed,
    }
    rows = run_levels(
        levels,
        a.replicas,
        a.url,
        cfg_kwargs,
        NO_POST_GC if a.no_post_gc else None,
        on_level=(lambda rows: on_level(a, rows)) if on_level else None,
    )
    return 0 if all(r["errors"] == 0 and r["crosstalk"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
