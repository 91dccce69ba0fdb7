#!/usr/bin/env python3
"""Ask a running Tandem (e.g. `tandem demo`) a natural-question set through the app API and print
answered right / wrong / deferred per language and out-of-scope answered.

usage: scripts/ask-dev.py BASE_URL API_KEY [SET.jsonl]   (lines {"q": …, "doc": expected id or ""})
"""
import json, sys, urllib.request

base, key = sys.argv[1].rstrip("/"), sys.argv[2]
path = sys.argv[3] if len(sys.argv) > 3 else "evals/testdata/dev-natural.jsonl"
verbose = "-v" in sys.argv


def post(url, body):
    req = urllib.request.Request(base + url, json.dumps(body).encode(), {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


tally = {}
for i, line in enumerate(open(path, encoding="utf-8")):
    case = json.loads(line)
    lang = "oos" if not case["doc"] else ("zh" if any("\u4e00" <= c <= "\u9fff" for c in case["q"]) else "en")
    conv = post("/api/v1/conversations", {"customer": {"id": "dev-%d" % i}})
    rep = post("/api/v1/conversations/%s/messages" % conv["id"], {"text": case["q"]})["replies"][0]
    src = [s.get("id") or s.get("url", "").rsplit("/", 1)[-1] for s in rep.get("sources") or []]
    answered = rep.get("decision") == "answer" and not rep.get("intent")
    if not case["doc"]:
        verdict = "answered" if answered else "held"
    elif not answered:
        verdict = "deferred"
    else:
        verdict = "right" if src and src[0] == case["doc"] else "wrong"
    t = tally.setdefault(lang, {})
    t[verdict] = t.get(verdict, 0) + 1
    if case["doc"] and src and src[0] == case["doc"]:
        t["top1"] = t.get("top1", 0) + 1
    if verbose or verdict in ("wrong", "deferred", "answered"):
        print("%-8s %.3f %-40s %s" % (verdict, rep.get("confidence", 0), (src or ["-"])[0], case["q"]))
for lang, t in sorted(tally.items()):
    n = sum(v for k, v in t.items() if k != "top1")
    print(lang, "n=%d" % n, " ".join("%s=%.2f" % (k, v / n) for k, v in sorted(t.items())))
