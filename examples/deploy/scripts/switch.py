"""Switches the demo service to VERSION on loopback: stops the running one, starts the new one, and
waits until /health answers with that version. Usage: switch.py VERSION PORT (or `stop`)."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(ROOT, "state")
PID = os.path.join(STATE, "service.pid")


def stop():
    try:
        pid = int(open(PID).read())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.remove(PID)


def start(version, port):
    if not os.path.exists(os.path.join(ROOT, "releases", version + ".json")):
        sys.exit("no release %s in releases/" % version)
    log = open(os.path.join(STATE, "service.log"), "a")
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "service", "server.py"), version, port],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True)
    with open(PID, "w") as handle:
        handle.write(str(process.pid))
    for _ in range(100):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%s/health" % port, timeout=1) as answer:
                if json.load(answer).get("version") == version:
                    with open(os.path.join(STATE, "version"), "w") as handle:
                        handle.write(version)
                    print("now serving %s on port %s (pid %d)" % (version, port, process.pid))
                    return
        except OSError:
            pass
        if process.poll() is not None:
            sys.exit("the service exited with %s; see state/service.log" % process.returncode)
        time.sleep(0.1)
    sys.exit("%s did not answer /health within 10s" % version)


os.makedirs(STATE, exist_ok=True)
if sys.argv[1] == "stop":
    stop()
else:
    if not sys.argv[1]:
        sys.exit("no version given (SHIPCHECK_RELEASE is empty: pass --version)")
    stop()
    start(sys.argv[1], sys.argv[2])
