"""Drive a throw-away JupyterHub from pytest: loopback only, every file in one state dir, stopped by PID.

Adapted from the tested prototype in /work/shared/examples/hub/ (see /work/shared/hub-recipes.md).  No process
is ever found or killed by name: the hub is started with Popen and stopped with SIGTERM (it stops the proxy
and the single-user servers itself); the fallback only signals PIDs this run recorded.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket  # websocket-client (a jupyter_server dependency)

HERE = Path(__file__).resolve().parent
VENV = Path(sys.prefix)
CHP = os.path.join(VENV, "bin", "configurable-http-proxy")   # the PyPI (pure-Python) proxy
# P15: answer JupyterLab's "get notified about official Jupyter news?" with "never", for every student
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    """This environment without Jupyter/matplotlib/mcdl settings that would leak in, venv bin first on PATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY", "MCDL_")) and k != "MPLBACKEND"}
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------- git
GIT_ENV = {"GIT_AUTHOR_NAME": "Teacher", "GIT_AUTHOR_EMAIL": "teacher@example.invalid",
           "GIT_COMMITTER_NAME": "Teacher", "GIT_COMMITTER_EMAIL": "teacher@example.invalid",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}   # never the machine's git config


def git(*args, cwd=None) -> str:
    r = subprocess.run(["git", *args], cwd=cwd, env=dict(os.environ, **GIT_ENV), capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed: {r.stderr}")
    return r.stdout


# ---------------------------------------------------------------------------------------------- processes
def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def pid_alive(pid: int) -> bool:
    try:
        return _stat(pid)[0] != "Z"          # a zombie is dead
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def rss_mib(pid: int) -> float | None:
    try:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS:"))
    except (FileNotFoundError, StopIteration):
        return None
    return int(line.split()[1]) / 1024


def environ(pid: int) -> dict:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def procs_mentioning(text: str) -> list[tuple[int, str]]:
    """Read-only /proc scan: live processes (but this one and its ancestors) whose command line has `text`."""
    skip, pid = set(), os.getpid()
    while pid > 1:
        skip.add(pid)
        try:
            pid = int(_stat(pid)[1])
        except (FileNotFoundError, IndexError, ValueError):
            break
    found = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit() or int(p.name) in skip:
            continue
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if text in cmd and pid_alive(int(p.name)):
            found.append((int(p.name), cmd.strip()))
    return found


def stop_pid(pid: int, timeout: float = 5.0) -> str:
    """SIGTERM one recorded PID, SIGKILL it after `timeout`."""
    if not pid_alive(pid):
        return "gone"
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not pid_alive(pid):
            return "SIGTERM"
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return "SIGKILL"


# ---------------------------------------------------------------------------------------------- the hub
@dataclass
class Hub:
    state: Path                                  # db, cookie secret, pid files, logs, HOME, homes/
    password: str = "class-pass-123"
    public_port: int = field(default_factory=free_port)
    hub_port: int = field(default_factory=free_port)
    proxy_api_port: int = field(default_factory=free_port)
    admin_token: str = field(default_factory=lambda: secrets.token_hex(32))
    proc: subprocess.Popen | None = None
    pids: dict = field(default_factory=dict)     # name -> pid, for the fallback teardown

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def homes(self) -> Path:
        return self.state / "homes"

    def start(self, timeout: float = 60) -> None:
        """Popen jupyterhub itself (so proc.pid is the hub) and wait until /hub/api/ answers."""
        for d in (self.homes, self.state / "hubhome", self.state / "lab-settings"):
            d.mkdir(parents=True, exist_ok=True)
        (self.state / "lab-settings" / "overrides.json").write_text(json.dumps(LAB_OVERRIDES))
        env = clean_env(HOME=str(self.state / "hubhome"), MCDL_HUB_STATE=str(self.state), MCDL_HUB_VENV=str(VENV),
                        MCDL_HUB_CHP=CHP, MCDL_HUB_PASSWORD=self.password, MCDL_HUB_ADMIN_TOKEN=self.admin_token,
                        MCDL_HUB_PUBLIC_PORT=str(self.public_port), MCDL_HUB_HUB_PORT=str(self.hub_port),
                        MCDL_HUB_PROXY_API_PORT=str(self.proxy_api_port))
        with open(self.state / "jupyterhub.log", "ab") as log:
            self.proc = subprocess.Popen([str(VENV / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                                         cwd=self.state, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.pids["hub"] = self.proc.pid
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"the hub did not come up:\n{self.log()}")
            time.sleep(0.1)
        self.pids["proxy"] = int((self.state / "jupyterhub-proxy.pid").read_text())

    def log(self, tail: int = 40) -> str:
        return "\n".join((self.state / "jupyterhub.log").read_text(errors="replace").splitlines()[-tail:])

    def stop(self) -> dict:
        """SIGTERM the hub (it stops the servers and the proxy), then make sure every recorded PID is gone."""
        report = {}
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                report["hub"] = f"rc={self.proc.wait(30)}"
            except subprocess.TimeoutExpired:
                self.proc.kill()
                report["hub"] = f"SIGKILL rc={self.proc.wait()}"
        for name, pid in self.pids.items():
            if name != "hub":
                report[name] = stop_pid(pid)
        return report

    # ---- REST API (the admin service's token unless another is given)
    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kw)

    def create_users(self, names) -> None:
        r = self.api("POST", "/users", json={"usernames": list(names)})
        assert r.status_code == 201, r.text

    def user_token(self, name: str) -> str:
        r = self.api("POST", f"/users/{name}/tokens", json={"note": "tests/hub", "expires_in": 3600})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def server(self, name: str) -> dict | None:
        r = self.api("GET", f"/users/{name}")
        r.raise_for_status()
        return r.json()["servers"].get("")

    def spawn(self, name: str, timeout: float = 90) -> dict:
        """Start a student's server (the POST blocks up to 10 s, then answers 202) and wait until it is ready."""
        r = self.api("POST", f"/users/{name}/server")
        assert r.status_code in (201, 202), r.text
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.server(name)
            if s and s.get("ready"):
                self.pids[f"server-{name}"] = s["state"]["pid"]
                return s
            time.sleep(0.2)
        raise TimeoutError(f"the server of {name} is not ready:\n{self.log()}")

    def stop_server(self, name: str, timeout: float = 60) -> None:
        r = self.api("DELETE", f"/users/{name}/server")
        assert r.status_code in (202, 204), r.text
        end = time.monotonic() + timeout
        while self.server(name) is not None:
            if time.monotonic() > end:
                raise TimeoutError(f"the server of {name} did not stop")
            time.sleep(0.2)

    def login(self, name: str) -> requests.Session:
        """Log in through the real /hub/login form, with its _xsrf field (P8)."""
        s = requests.Session()
        r = s.get(self.url + "/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
        assert xsrf, "no _xsrf field on the login page"
        r = s.post(self.url + "/hub/login", allow_redirects=False, timeout=30,
                   data={"username": name, "password": self.password, "_xsrf": xsrf[1]})
        assert r.status_code == 302, (r.status_code, r.text[:300])
        return s


# ---------------------------------------------------------------------------------------------- nbgitpuller
def gitpuller_link(hub_url: str, repo: str, urlpath: str, branch: str = "main", targetpath: str = "course") -> str:
    """targetpath would default to the repo URL's last segment ("course.git"): always pass it (P2)."""
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "urlpath": urlpath, "targetpath": targetpath})
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


def follow_gitpuller_link(session: requests.Session, link: str, timeout: float = 120) -> dict:
    """What a browser does with the link (P1): GET it (hub redirect, spawn, OAuth) for nbgitpuller's status
    page; then, as the page's JS does, read the event stream git-pull/api?... built from the page's data-*
    attributes until the pull finishes; then GET the landing page."""
    page = session.get(link, timeout=60)
    page.raise_for_status()
    attrs = {k: urllib.parse.unquote(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', page.text)}
    assert "repo" in attrs, "not nbgitpuller's status page: " + page.url
    params = {"_xsrf": attrs.get("xsrf", ""), "repo": attrs["repo"], "targetpath": attrs["targetpath"]}
    params.update({k: attrs[k] for k in ("depth", "branch", "backup") if k in attrs})
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(page.url))
    events = []
    with session.get(f"{origin}{attrs['base-url']}git-pull/api?{urllib.parse.urlencode(params)}",
                     stream=True, timeout=timeout) as stream:
        stream.raise_for_status()
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
    phase = events[-1]["phase"] if events else "none"
    landing = session.get(origin + attrs["base-url"] + attrs["path"], timeout=60) if phase == "finished" else None
    return {"phase": phase, "output": "".join(e.get("output", "") for e in events),
            "landing_status": landing.status_code if landing is not None else None,
            "landing_url": landing.url if landing is not None else None}


# ---------------------------------------------------------------------------------------------- kernels
def run_notebook_via_ws(server_url: str, token: str, path: str, cells: list[str], timeout: float = 180) -> list[dict]:
    """Run code cells in a kernel of a student's own server (server_url: http://.../user/NAME) as JupyterLab
    does: a session for the notebook at `path` (so the kernel's cwd is the notebook's folder), then
    execute_request messages over the kernel's websocket (JSON frames, protocol 5.3).  One dict per cell:
    status, error, text (streams, text/plain, text/html), mime (the MIME types shown).  The session and its
    kernel are deleted at the end."""
    headers = {"Authorization": f"token {token}"}
    r = requests.post(server_url + "/api/sessions", headers=headers, timeout=60,
                      json={"path": path, "name": os.path.basename(path), "type": "notebook",
                            "kernel": {"name": "python3"}})
    r.raise_for_status()
    sid, kid, session = r.json()["id"], r.json()["kernel"]["id"], uuid.uuid4().hex
    ws = websocket.create_connection(server_url.replace("http://", "ws://", 1)
                                     + f"/api/kernels/{kid}/channels?session_id={session}",
                                     header=[f"Authorization: token {token}"], timeout=timeout)
    results = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": "student", "session": session, "version": "5.3",
                           "msg_type": "execute_request",
                           "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
                "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": False}}))
            out, idle, replied = {"status": None, "error": None, "text": "", "mime": []}, False, False
            while not (idle and replied):
                raw = ws.recv()
                if isinstance(raw, bytes):       # binary frames only carry widget buffers
                    continue
                m = json.loads(raw)
                if m.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, c = m["msg_type"], m["content"]
                if kind == "stream":
                    out["text"] += c["text"]
                elif kind in ("display_data", "execute_result"):
                    out["text"] += "".join(str(c["data"].get(t, "")) for t in ("text/plain", "text/html"))
                    out["mime"] += sorted(c["data"])
                elif kind == "error":
                    out["error"] = f"{c['ename']}: {c['evalue']}"
                elif kind == "status" and c["execution_state"] == "idle":
                    idle = True
                elif kind == "execute_reply":
                    out["status"], replied = c["status"], True
            results.append(out)
    finally:
        ws.close()
        requests.delete(f"{server_url}/api/sessions/{sid}", headers=headers, timeout=60)
    return results
