"""Builds the planted-secret corpus at benchmark time: real source files (excerpts of the Python
standard library installed on this machine, chosen deterministically) with credentials inserted at
known lines, plus look-alike decoys that must not be reported, and beside them the rest of that
standard library untouched (tests included: hash test vectors, alphabets, example URLs), where every
finding is a false alarm. Writes bench/out/secrets/corpus/{planted,stdlib}/ and labels.json (seeded,
so the same Python gives the same corpus). Nothing of it is committed: the repository carries no
other project's source. Run: python3 bench/secrets/make_corpus.py"""
import hashlib
import json
import os
import random
import shutil
import string
import sysconfig

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "..", "out", "secrets")
OUT = os.path.join(WORK, "corpus")
rng = random.Random(20261128)


def token(alphabet, length):
    return "".join(rng.choice(alphabet) for _ in range(length))


ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
B64URL = ALNUM + "-_"

# Each maker returns a source line holding one credential.
MAKERS = {
    "aws-access-key-id": lambda: f'AWS_ACCESS_KEY_ID = "AKIA{token(UPPER, 16)}"',
    "aws-secret-access-key": lambda: f'aws_secret_access_key = "{token(ALNUM + "/+", 40)}"',
    "github-token": lambda: f'GITHUB_TOKEN = "ghp_{token(ALNUM, 36)}"',
    "gitlab-token": lambda: f'gitlab_token = "glpat-{token(B64URL, 20)}"',
    "slack-token": lambda: f'SLACK_BOT = "xoxb-{token(string.digits, 12)}-{token(string.digits, 13)}-{token(ALNUM, 24)}"',
    "stripe-key": lambda: f'stripe.api_key = "sk_live_{token(ALNUM, 24)}"',
    "openai-key": lambda: f'client = OpenAI(api_key="sk-proj-{token(B64URL, 48)}")',
    "google-api-key": lambda: f'MAPS_KEY = "AIza{token(B64URL, 35)}"',
    "private-key": lambda: 'KEY = """-----BEGIN RSA PRIVATE KEY-----',
    "jwt": lambda: 'auth = "Bearer eyJ%s.eyJ%s.%s"' % (token(B64URL, 20), token(B64URL, 40), token(B64URL, 43)),
    "url-password": lambda: f'DATABASE_URL = "postgres://app:{token(ALNUM, 14)}@db.internal:5432/app"',
    "password-assignment": lambda: f'db_password = "{token(ALNUM + "!@#%", 16)}"',
    "high-entropy-base64": lambda: f'SIGNING_SECRET_VALUE = "{token(ALNUM + "+/", 44)}"',
    "high-entropy-hex": lambda: f'session_key = "{token("0123456789abcdef", 64)}"',
    # Shapes detect-secrets misses: a type annotation, a key left in a comment, a short key by its name.
    "annotated-password": lambda: f'ADMIN_PASSWORD: str = "{token(ALNUM, 14)}"',
    "comment-entropy": lambda: f'# previous value, rotated: {token(ALNUM + "+/", 40)}',
    "short-base64-keyword": lambda: f'signing_key = "{token(ALNUM, 20)}"',
}

DECOYS = [
    'password = os.environ["DB_PASSWORD"]',
    'api_key = "your-api-key-here"',
    'DATABASE_URL = "postgres://user:${DB_PASSWORD}@localhost/app"',
    'token = request.headers.get("Authorization")',
    'SECRET_KEY = settings.SECRET_KEY',
    'password = "<password>"',
    'version = "1.2.3-rc.1"',
    'url = "https://docs.python.org/3/library/secrets.html"',
    "token_type = 'mailbox-list'",
    "letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'",
    'urlopen("http://user:pass@www.example.com/")',
    f'assert hashlib.sha256(b"abc").hexdigest() == "{hashlib.sha256(b"abc").hexdigest()}"',
]


def main():
    stdlib = sysconfig.get_paths()["stdlib"]
    names = sorted(n for n in os.listdir(stdlib) if n.endswith(".py") and not n.startswith("_"))
    chosen = [n for n in names if os.path.getsize(os.path.join(stdlib, n)) > 8000][:40]
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "planted"))
    copy_clean(stdlib, set(chosen))
    labels = []
    kinds = sorted(MAKERS)
    for index, name in enumerate(chosen):
        with open(os.path.join(stdlib, name), encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()[:250]
        plants = rng.sample(range(5, max(6, len(lines) - 5)), 3)
        inserts = []
        for slot, position in enumerate(sorted(plants)):
            if slot == 2 and index % 2 == 0:
                inserts.append((position, rng.choice(DECOYS), None))
            else:
                kind = kinds[(index * 2 + slot) % len(kinds)]
                inserts.append((position, MAKERS[kind](), kind))
        offset = 0
        for position, line, kind in inserts:
            at = position + offset
            lines.insert(at, line)
            offset += 1
            if kind:
                labels.append({"file": f"planted/{name}", "line": at + 1, "kind": kind})
        with open(os.path.join(OUT, "planted", name), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    with open(os.path.join(WORK, "labels.json"), "w") as handle:
        json.dump(sorted(labels, key=lambda x: (x["file"], x["line"])), handle, indent=1)
    print(f"{len(chosen)} files, {len(labels)} planted secrets")


def copy_clean(stdlib, chosen):
    """Every other .py file of the standard library, where nothing was planted."""
    for directory, subdirectories, files in os.walk(stdlib):
        relative = os.path.relpath(directory, stdlib)
        subdirectories[:] = sorted(d for d in subdirectories if d not in ("site-packages", "__pycache__", "data"))
        for name in sorted(files):
            if not name.endswith(".py") or (relative == "." and name in chosen):
                continue
            target = os.path.join(OUT, "stdlib", relative)
            os.makedirs(target, exist_ok=True)
            shutil.copyfile(os.path.join(directory, name), os.path.join(target, name))


main()
