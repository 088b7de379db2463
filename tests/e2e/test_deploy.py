"""Two app replicas behind Debian's nginx (deploy/cluster.py): websockets through the proxy,
sticky sessions by cookie, a student failing over when a replica dies."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.request

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "deploy"))
import cluster
import ws_classroom
from browser_util import run_async

NO_NGINX = (
    "nginx is not installed (Debian: apt-get install nginx, or deploy/start.sh installs it): "
    "the replicas-behind-a-proxy deployment is not tested"
)


def test_committed_config_is_what_the_script_renders():
    """deploy/nginx.conf (for reading or copying) is the script's own output for 2 replicas."""
    rendered = cluster.render_config([8601, 8602], "0.0.0.0:8501", "/tmp/bertviz-cluster")
    assert (ROOT / "deploy" / "nginx.conf").read_text() == rendered + "\n"


def test_nginx_accepts_the_config(tmp_path):
    nginx = cluster.nginx_binary()
    if nginx is None:
        pytest.skip(NO_NGINX)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / sub).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(cluster.render_config([8601, 8602, 8603], "127.0.0.1:8599", str(tmp_path)))
    r = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "e.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,  # the assert shows nginx's message
    )
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def two_replicas():
    if cluster.nginx_binary() is None:
        pytest.skip(NO_NGINX)
    with cluster.running(replicas=2, listen="127.0.0.1:0") as c:
        yield c


def get(url, cookie=None):
    req = urllib.request.Request(url, headers={"Cookie": f"{cluster.COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers


def test_first_visit_gets_a_cookie_naming_the_replica_and_visits_are_dealt_in_turn(two_replicas):
    served = []
    for _ in range(4):
        status, headers = get(two_replicas.base_url + "/attention")
        assert status == 200
        replica = headers[cluster.HEADER]
        assert f"{cluster.COOKIE}={replica};" in headers["Set-Cookie"]
        served.append(replica)
    assert set(served) == {"replica_0", "replica_1"}  # round robin over both


def test_websocket_sessions_through_the_proxy_stay_on_their_replica(two_replicas):
    tok = ws_classroom.load_tokenizer()

    async def student(n, replica):
        c = ws_classroom.StreamlitClient(two_replicas.base_url, {cluster.COOKIE: replica})
        page = await asyncio.to_thread(c.get_page, "/attention")
        await c.connect(timeout=60)
        try:
            ws_replica = c.headers_101.get(cluster.HEADER.lower())
            first = f"student {n} opens the page on {replica}."
            r1 = await c.open_page(
                "attention", {"model": ws_classroom.MODEL, "text": first}, ws_classroom.expected_labels(tok, first), 200
            )
            second = f"student {n} then types a different sentence about rivers."
            r2 = await c.type_sentence(second, ws_classroom.expected_labels(tok, second), 200)
            return page[cluster.HEADER.lower()], ws_replica, r1, r2
        finally:
            await c.close()

    async def both():
        return await asyncio.gather(student(1, "replica_0"), student(2, "replica_1"))

    for replica, (page_by, ws_by, r1, r2) in zip(("replica_0", "replica_1"), run_async(both())):
        assert page_by == ws_by == replica  # the cookie pins the page and its websocket to one replica
        for r in (r1, r2):
            assert r.problems == [] and r.foreign == [] and r.chart_s is not None


def test_the_app_runs_without_streamlits_post_script_gc():
    """`make app` (streamlit run from the repository) reads .streamlit/config.toml: the capacity the README
    promises (100 students on one 2-core server) was measured with the post-script gc off."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False


def test_replicas_run_without_streamlits_post_script_gc(two_replicas):
    """deploy/cluster.py turns runner.postScriptGC off (a full gc after every run, measured in
    bench/RESULTS.md); the flag must reach every replica's command line."""
    for proc in two_replicas.replicas:
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            args = f.read().decode().split("\0")
        i = args.index("--runner.postScriptGC")
        assert args[i + 1] == "false"


def test_a_student_of_a_dead_replica_falls_over_to_the_other(two_replicas):
    victim = two_replicas.replicas[1]
    victim.terminate()
    try:
        victim.wait(60)  # Streamlit's graceful stop can take long on a loaded machine
    except subprocess.TimeoutExpired:
        victim.kill()
        victim.wait(15)
    status, headers = get(two_replicas.base_url + "/attention", cookie="replica_1")
    assert status == 200 and headers[cluster.HEADER] == "replica_0"
    assert f"{cluster.COOKIE}=replica_0;" in headers["Set-Cookie"]  # the cookie now names the living one
