"""A small service with real problems, for Shipcheck's tests: every gate item must find its problem."""
import os
import subprocess
import sys

from flask import Flask, jsonify
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite:///local.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db)


@app.get("/health")
def health():
    # The checklist expects {"status": "healthy"}; this service answers another shape.
    return jsonify({"ok": True})


@app.get("/api/health")
def api_health():
    return jsonify({"ok": True})


def archive(name):
    # A shell built from input: bandit reports it as HIGH (B602).
    return subprocess.call("tar czf /tmp/%s.tgz data" % name, shell=True)
