"""Error lines in the service's log over the last minute (the seed's "Watch logs": tail -f, errors).
Lines start with an ISO time (YYYY-MM-DDTHH:MM:SS) in local time; prints `errors: N`."""
import os
import sys
import time

path = sys.argv[1]
since = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - 60))
count = 0
if os.path.exists(path):
    with open(path, errors="replace") as log:
        for line in log:
            if " ERROR " in line and line[:19] >= since:
                count += 1
print("errors: %d" % count)
