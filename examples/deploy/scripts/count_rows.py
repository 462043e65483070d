"""The rows of state/app.db's items table (the data-loss probe); exits 1 without the database."""
import os
import sqlite3
import sys

path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "state", "app.db")
if not os.path.exists(path):
    sys.exit("no database at %s" % path)
with sqlite3.connect(path) as db:
    print("rows: %d" % db.execute("SELECT count(*) FROM items").fetchone()[0])
