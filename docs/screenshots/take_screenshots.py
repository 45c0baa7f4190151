"""Screenshots of the main screens, for the README: Chromium headless over the DevTools
protocol, logged in to a running Odoo.

    python docs/screenshots/take_screenshots.py --url http://localhost:8069 \\
        --db channel_demo --login admin --password admin

Writes dashboard.png, account_form.png, job.png and transfer.png next to this file (or in
``--out``). Point it at a database with the demo data (``docker compose up``, or
``tests/demo_check.py --keep``) so the screens have something to show. Needs Chromium
(``chromium`` / ``google-chrome`` on PATH) and websocket-client.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import requests
import websocket

HERE = Path(__file__).resolve().parent
#: file name -> (model, domain, view); the first matching record's form (or the action)
SCREENS = {
    "dashboard.png": "/odoo/action-channel_base.action_integration_dashboard",
    "account_form.png": ("integration.credential", []),
    "job.png": ("sync.job", [["state", "=", "done"]]),
    "transfer.png": ("stock.picking", [["channel_credential_id", "!=", False],
                                       ["state", "=", "done"]]),
}


def find_chromium():
    for name in ("chromium", "google-chrome", "chromium-browser", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("No Chromium on PATH (apt-get install chromium).")


class Browser:
    """One headless Chromium page driven over the DevTools protocol."""

    def __init__(self, width=1440, height=900):
        self.profile = tempfile.mkdtemp(prefix="channel-screenshots-")
        self.process = subprocess.Popen(  # noqa: S603 - our own browser binary
            [find_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", f"--window-size={width},{height}",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.socket = websocket.create_connection(self._page_websocket_url(), timeout=60)
        self.message_id = 0
        self.send("Page.enable")

    def _page_websocket_url(self):
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urlopen(f"http://127.0.0.1:{port}/json") as answer:  # noqa: S310 - local
            pages = [page for page in json.load(answer) if page["type"] == "page"]
        return pages[0]["webSocketDebuggerUrl"]

    def send(self, method, **params):
        self.message_id += 1
        self.socket.send(json.dumps({"id": self.message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", url=url, name=name, value=value)

    def open(self, url, settle=3.0):
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.5)
            state = self.send("Runtime.evaluate", expression=(
                "document.readyState === 'complete' && !!document.querySelector("
                "'.o_action_manager .o_view_controller, .o_form_view') && "
                "!document.querySelector('.o_loading_indicator, .o-main-components-container"
                " .o_blockUI')"), returnByValue=True)
            if state["result"].get("value"):
                break
        time.sleep(settle)  # let charts and the chatter finish drawing

    def screenshot(self, path):
        # Passing notifications ("the page is out of date" after an upgrade) are not the screen.
        self.send("Runtime.evaluate", expression=(
            "document.querySelectorAll('.o_notification_manager .o_notification')"
            ".forEach((notification) => notification.remove())"))
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(15)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(url, db, user, password):
    """A session id for ``user``, from Odoo's JSON-RPC authentication."""
    session = requests.Session()
    answer = session.post(f"{url}/web/session/authenticate", json={
        "jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=60)
    answer.raise_for_status()
    if answer.json().get("error"):
        raise SystemExit(f"Login refused: {answer.json()['error']['data']['message']}")
    return session


def first_record_url(session, url, model, domain):
    answer = session.post(f"{url}/web/dataset/call_kw", json={
        "jsonrpc": "2.0", "params": {"model": model, "method": "search", "args": [domain],
                                     "kwargs": {"limit": 1, "order": "id desc"}}}, timeout=60)
    ids = answer.json().get("result") or []
    if not ids:
        raise SystemExit(f"No {model} record matching {domain} to take a screenshot of.")
    return f"{url}/odoo/{model}/{ids[0]}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=str(HERE))
    arguments = parser.parse_args(argv)
    url = arguments.url.rstrip("/")
    session = login(url, arguments.db, arguments.login, arguments.password)
    browser = Browser()
    try:
        browser.send("Network.enable")
        browser.set_cookie(url, "session_id", session.cookies["session_id"])
        for file_name, target in SCREENS.items():
            page = url + target if isinstance(target, str) else first_record_url(
                session, url, *target)
            browser.open(page)
            browser.screenshot(Path(arguments.out) / file_name)
            print(f"{file_name}: {page}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
