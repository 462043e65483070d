"""Post-deploy: the service on PORT answers /health with the version deployed ($SHIPCHECK_RELEASE)."""
import json
import os
import sys
import urllib.request

with urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=5) as answer:
    live = json.load(answer).get("version")
expected = os.environ.get("SHIPCHECK_RELEASE", "")
print("live %s, deployed %s" % (live, expected))
sys.exit(0 if live == expected and expected else 1)
