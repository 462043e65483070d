#!/usr/bin/env python3
"""Verifies a Shipcheck audit log without Shipcheck, with Python's standard library only.

    shipcheck audit export --rows > audit.jsonl
    python3 scripts/verify-audit.py audit.jsonl        # or: ... | python3 scripts/verify-audit.py -

Reads the export (one JSON object per line: the events in chain order, then, with --rows, a line
{"rows": N} and every row the chain covers) and recomputes what docs/trust.md defines:
- each event's hash, from the previous event's hash and its own fields (encoding 1 or 2, as the
  event says; an event of encoding 1 after one of encoding 2 is a downgrade);
- the links: the first event links to the genesis value, every other to the one before it;
- each row's digest, compared with the last event that wrote that row.
Prints one line per problem, the first broken link first, and exits 0 when the log is intact,
1 when it is not, 2 when the input cannot be read.
"""
import hashlib
import json
import struct
import sys

GENESIS = "0" * 64


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(event):
    """Encoding 1: SHA-256 of the previous hash and the fields, joined by newlines. Encoding 2:
    SHA-256 of `shipcheck-audit-v2` and the fields, each a 4-byte big-endian length and its UTF-8
    bytes, the sequence number (in decimal) included. None for an unknown encoding."""
    encoding = event.get("encoding", 1)
    if encoding == 1:
        fields = [event["previousHash"], event["id"], event["at"], event["kind"], event["table"], event["key"],
                  event["rowDigest"]]
        return sha256("\n".join(fields))
    if encoding == 2:
        fields = ["shipcheck-audit-v2", event["previousHash"], str(event["seq"]), event["id"], event["at"],
                  event["kind"], event["table"], event["key"], event["rowDigest"]]
        data = b"".join(struct.pack(">I", len(field.encode("utf-8"))) + field.encode("utf-8") for field in fields)
        return hashlib.sha256(data).hexdigest()
    return None


def was_moved(event):
    """Whether an encoding-2 event is intact but was written under another sequence number, at most
    1,000 away (a moved event, reported by its links, not as edited)."""
    if event.get("encoding", 1) != 2:
        return False
    return any(event_hash(dict(event, seq=seq)) == event["hash"]
               for seq in range(max(1, event["seq"] - 1000), event["seq"] + 1001) if seq != event["seq"])


def row_digest(row):
    """SHA-256 of the table's name, then each column in order: `\\x1f` NAME `=` LENGTH `:` VALUE, or
    `\\x1f` NAME alone for NULL (LENGTH counts UTF-8 bytes)."""
    text = row["table"]
    for column in row["columns"]:
        value = row["cells"].get(column)
        if value is None:
            text += "\x1f" + column
        else:
            text += "\x1f%s=%d:%s" % (column, len(value.encode("utf-8")), value)
    return sha256(text)


def verify(events, rows):
    problems = []  # (seq or None, text)
    ordered = sorted(events, key=lambda event: event["seq"])
    position_of_hash = {}
    for position, event in enumerate(ordered):
        position_of_hash.setdefault(event["hash"], position)
    linked_to = {event["previousHash"] for event in ordered}
    previous = None
    newest_encoding = 1
    for position, event in enumerate(ordered):
        expected = previous["hash"] if previous else GENESIS

        def problem(text):
            problems.append((event["seq"], "event #%d (%s): %s" % (event["seq"], event["id"], text)))

        if (position + 1 < len(ordered) and ordered[position + 1]["previousHash"] == expected
                and event["hash"] not in linked_to):
            problem("inserted: no event links to it, and the next one links to the event before it")
            continue
        encoding = event.get("encoding", 1)
        if event_hash(event) is None:
            problem("its encoding %r is not one this verifier knows (1, 2)" % encoding)
        elif encoding < newest_encoding:
            problem("downgraded: encoding %d after an event of encoding %d" % (encoding, newest_encoding))
        elif event_hash(event) != event["hash"] and not was_moved(event):
            problem("edited: its hash does not match its contents")
        elif event["previousHash"] != expected:
            target = position_of_hash.get(event["previousHash"])
            if target is not None:
                problem("reordered or out of place: it links to event #%d" % ordered[target]["seq"])
            elif previous is not None and previous["seq"] + 1 < event["seq"]:
                problem("deleted before it: it links to an event that is gone (#%d)" % (previous["seq"] + 1))
            elif previous is None and event["seq"] > 1:
                problem("deleted before it: it links to an event that is gone (#1)")
            else:
                problem("the event before it was edited or replaced: it links to a hash no event has")
        if isinstance(encoding, int):
            newest_encoding = max(newest_encoding, encoding)
        previous = event
    if rows is not None:
        last_write = {}
        for event in ordered:
            last_write[(event["table"], event["key"])] = event
        seen = set()
        for row in sorted(rows, key=lambda row: (row["table"], row["key"])):
            name = (row["table"], row["key"])
            seen.add(name)
            event = last_write.get(name)
            if event is None:
                problems.append((None, "%s %s: a row no event recorded (written outside shipcheck)" % name))
            elif event["rowDigest"] != row_digest(row):
                problems.append((event["seq"], "event #%d (%s): %s %s was changed after this event recorded it"
                                 % (event["seq"], event["id"], row["table"], row["key"])))
        for name, event in sorted(last_write.items(), key=lambda item: item[1]["seq"]):
            if name not in seen:
                problems.append((event["seq"], "event #%d (%s): %s %s, which this event recorded, is gone"
                                 % (event["seq"], event["id"], name[0], name[1])))
    problems.sort(key=lambda problem: float("inf") if problem[0] is None else problem[0])
    return ordered, problems


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    try:
        handle = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1], encoding="utf-8")
        events, rows = [], None
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError as error:
                sys.stderr.write("verify-audit: line %d is not JSON: %s\n" % (number, error))
                return 2
            if "rows" in entry:
                rows = [] if rows is None else rows
            elif "row" in entry:
                rows = [] if rows is None else rows
                rows.append(entry["row"])
            else:
                events.append(entry)
    except OSError as error:
        sys.stderr.write("verify-audit: %s\n" % error)
        return 2
    ordered, problems = verify(events, rows)
    if problems:
        print("verify-audit: broken (%d problem%s); first broken link first:"
              % (len(problems), "" if len(problems) == 1 else "s"))
        for _, text in problems:
            print("  " + text)
        return 1
    print("verify-audit: %d events%s verified; the chain is intact"
          % (len(ordered), "" if rows is None else " and %d rows" % len(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
