# JupyterHub for a class taking the backprop course, on one machine where
# `deploy/hub/install --hub` installed the course (docs/jupyterhub.md walks through it).
#
#   PREFIX/python/bin/jupyterhub -f deploy/hub/jupyterhub_config.py
#
# Each learner signs in with their account on this machine (PAM), gets a JupyterLab of their
# own running as themselves, and finds the lessons in ~/backprop-course. The settings below
# read these environment variables; each has a default for a real server:
#
#   BACKPROP_PREFIX      where the course is installed        (/opt/backprop-course)
#   BACKPROP_HUB_STATE   the Hub's database and cookie secret  (/var/lib/backprop-hub)
#   BACKPROP_HUB_IP      the address to listen on              (all addresses)
#   BACKPROP_HUB_PORT    the port                              (8000)
#   BACKPROP_HUB_USERS   who may sign in, comma-separated      (anyone with an account)
#   BACKPROP_HUB_AUTH    `dummy` for a test: any password      (PAM)
#   BACKPROP_HUB_ADMIN_TOKEN  a token for a service that manages users and their servers
#                        (the project's test drives the Hub with it; unset: no such service)

import os

c = get_config()  # noqa: F821 (JupyterHub provides it)

prefix = os.environ.get("BACKPROP_PREFIX", "/opt/backprop-course")
state = os.environ.get("BACKPROP_HUB_STATE", "/var/lib/backprop-hub")
os.makedirs(state, mode=0o700, exist_ok=True)

c.JupyterHub.ip = os.environ.get("BACKPROP_HUB_IP", "")
c.JupyterHub.port = int(os.environ.get("BACKPROP_HUB_PORT", "8000"))
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = f"{state}/jupyterhub-proxy.pid"
c.ConfigurableHTTPProxy.command = [f"{prefix}/node/node_modules/.bin/configurable-http-proxy"]

users = [u.strip() for u in os.environ.get("BACKPROP_HUB_USERS", "").split(",") if u.strip()]
if os.environ.get("BACKPROP_HUB_AUTH") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
if users:
    c.Authenticator.allowed_users = set(users)
else:
    c.Authenticator.allow_all = True

# Every learner's server is JupyterLab from the course's environment, running as the learner
# (the Hub runs as root and starts it under the learner's own account). deploy/hub/singleuser
# first gives a new learner their own copy of the lessons in ~/backprop-course.
c.Spawner.cmd = [f"{prefix}/bin/backprop-singleuser"]
c.Spawner.notebook_dir = "~/backprop-course"
c.Spawner.default_url = "/lab/tree/notebooks/01-loss.ipynb"
# The course kernel's first cells load the compiled course crate: give a server time to start.
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120

token = os.environ.get("BACKPROP_HUB_ADMIN_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": token}]
    c.JupyterHub.load_roles = [
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
            "services": ["course-admin"],
        }
    ]
