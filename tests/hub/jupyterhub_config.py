# JupyterHub config for tests/hub: a throw-away hub on 127.0.0.1 whose every file lives in MCDL_HUB_STATE.
# hubkit.Hub sets the MCDL_HUB_* variables (free ports, a fresh admin token, the venv, the proxy).
# Adapted from the tested recipe in /work/shared/hub-recipes.md (section numbers and P-numbers refer to it).
import os

c = get_config()  # noqa: F821  (jupyterhub injects it)

env = os.environ
state, venv = env["MCDL_HUB_STATE"], env["MCDL_HUB_VENV"]
homes = os.path.join(state, "homes")

# --- loopback only, three explicit ports; the proxy is the pure-Python configurable-http-proxy (no node)
c.JupyterHub.bind_url = f"http://127.0.0.1:{env['MCDL_HUB_PUBLIC_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env['MCDL_HUB_HUB_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['MCDL_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [env["MCDL_HUB_CHP"]]

# --- every state file in the state dir (the defaults are relative to the cwd); SIGTERM cleans up everything
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "jupyterhub-proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- one shared password (DummyAuthenticator.password is deprecated since 5.3 but works; P7)
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = env["MCDL_HUB_PASSWORD"]
c.Authenticator.allow_all = True                       # JupyterHub >= 5 needs an allow rule (P6)

# --- one local process per student, home in the state dir
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(homes, "{username}")
c.Spawner.cmd = [os.path.join(venv, "bin", "jupyterhub-singleuser")]
c.Spawner.args = [
    "--LabApp.news_url=None",                                            # no server-side news fetch
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",  # no PyPI version check
    # P15: the "get notified about Jupyter news?" popup is a frontend setting; its override (overrides.json,
    # written by hubkit) lives in the state dir instead of <venv>/share/jupyter/lab/settings
    "--LabApp.app_settings_dir=" + os.path.join(state, "lab-settings"),
] + (["--allow-root"] if os.geteuid() == 0 else [])                   # P5: jupyter_server refuses root
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
# P12: a server can hang at stop (jupyterlab/jupyterlab#10442); the defaults wait 30 s + 30 s before SIGKILL
c.LocalProcessSpawner.interrupt_timeout = 8
c.LocalProcessSpawner.term_timeout = 4
# Only env_keep (PATH, LANG, ...) and this reach the servers: no MPLBACKEND here, or inline plots vanish (P14)
c.Spawner.environment = {}

# --- the test's own API access: a service token with the admin-like scopes it needs (section 3.1)
c.JupyterHub.services = [{"name": "test-admin", "api_token": env["MCDL_HUB_ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [{
    "name": "test-admin-role",
    "services": ["test-admin"],
    "scopes": ["admin:users", "admin:servers", "admin:server_state",   # server_state: the server's pid
               "tokens", "list:users", "read:users"],                  # tokens: per-student tokens
}]
c.JupyterHub.log_level = env.get("MCDL_HUB_LOG_LEVEL", "INFO")
c.JupyterHub.last_activity_interval = 300
