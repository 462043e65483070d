"""Applies the SQL migrations in migrations/ to state/app.db: `up` to the newest (keeping the version
it started from), `undo` back to that version (the deploy's rollback counterpart), `down` one step,
`check` up, down and up again in a scratch copy (the pre-deploy test). Prints the schema version."""
import glob
import os
import shutil
import sqlite3
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE = os.path.join(ROOT, "state", "app.db")


def migrations():
    ups = sorted(glob.glob(os.path.join(ROOT, "migrations", "*.up.sql")))
    return [(int(os.path.basename(path).split("_")[0]), path, path.replace(".up.sql", ".down.sql")) for path in ups]


def version(db):
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def up(path):
    with sqlite3.connect(path) as db:
        for number, up_file, _ in migrations():
            if number > version(db):
                db.executescript(open(up_file).read())
                db.execute("INSERT INTO schema_version VALUES (?)", (number,))
        return version(db)


def down(path):
    with sqlite3.connect(path) as db:
        current = version(db)
        for number, _, down_file in reversed(migrations()):
            if number == current:
                db.executescript(open(down_file).read())
                db.execute("DELETE FROM schema_version WHERE version = ?", (number,))
                break
        return version(db)


def undo(path):
    try:
        before = int(open(BEFORE).read())
    except (OSError, ValueError):
        sys.exit("no record of the version before the last `up` (%s)" % BEFORE)
    with sqlite3.connect(path) as db:
        current = version(db)
    while current > before:
        current = down(path)
    os.remove(BEFORE)
    return current


BEFORE = os.path.join(ROOT, "state", "schema-before")
os.makedirs(os.path.dirname(DATABASE), exist_ok=True)
command = sys.argv[1]
if command == "up":
    with sqlite3.connect(DATABASE) as db:
        with open(BEFORE, "w") as handle:
            handle.write(str(version(db)))
if command == "check":
    scratch = os.path.join(tempfile.mkdtemp(), "app.db")
    if os.path.exists(DATABASE):
        shutil.copy(DATABASE, scratch)
    top = up(scratch)
    below = down(scratch)
    again = up(scratch)
    print("schema %d, down to %d, up again to %d" % (top, below, again))
    sys.exit(0 if top == again and below < top else 1)
if command not in ("up", "undo", "down"):
    sys.exit("usage: migrate.py up|undo|down|check")
print("schema %d" % {"up": up, "undo": undo, "down": down}[command](DATABASE))
