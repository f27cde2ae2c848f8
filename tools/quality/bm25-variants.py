"""BM25 variants that LanceDB's full-text index cannot express, measured offline for issue 20.

Hybrid nDCG@10 (tmm fusion with the cached all-MiniLM-L6-v2 dense lists, depth 100, documents at their
best chunk over the top 20 fused chunks, as `sift eval` ranks them) with BM25 computed by `bm25s`
(Snowball English stemmer, English stop words) instead of the store's index, over three units:
  chunk    heading path + chunk (what sift indexes), with k1 / b and the BM25+ / BM25L variants swept
  window   heading path + the chunk and its 1 or 2 neighbours on each side (a local document)
  doc      the whole document (title + text), fused with dense at document level (MaxP)
Not a sift option: a diagnostic of how far BM25 alone could move hybrid. Needs the lead's vector cache
(`bench/support/real-vectors.ts` format) and, in a venv, `pip install numpy bm25s PyStemmer`.

  python tools/quality/bm25-variants.py --corpus scifact --dataset ../shared/data/scifact \
      --split train --cache /work/.coord/cache/vectors
"""

import argparse
import gzip
import json
import math
import os

import bm25s
import numpy as np
import Stemmer

DIM = 384
DEPTH = 100
SHOWN = 20
ALPHAS = (0.6, 0.7, 0.75, 0.8)
SETTINGS = [
    ("lucene", 1.2, 0.75),
    ("lucene", 0.9, 0.4),
    ("lucene", 1.2, 0.5),
    ("lucene", 1.5, 0.75),
    ("lucene", 0.9, 0.75),
    ("lucene", 1.2, 0.9),
    ("lucene", 2.0, 0.75),
    ("bm25+", 1.2, 0.75),
    ("bm25l", 1.2, 0.75),
]

args = argparse.ArgumentParser()
args.add_argument("--corpus", required=True)
args.add_argument("--dataset", required=True)
args.add_argument("--split", default="test")
args.add_argument("--cache", required=True)
a = args.parse_args()


def jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return [json.loads(line) for line in f]


chunks = jsonl(f"{a.cache}/{a.corpus}.chunks.jsonl")
vectors = np.fromfile(f"{a.cache}/{a.corpus}.vectors.f32", dtype=np.float32).reshape(len(chunks), DIM)
queries = jsonl(f"{a.cache}/{a.corpus}.queries.jsonl")
query_vectors = np.fromfile(f"{a.cache}/{a.corpus}.queries.f32", dtype=np.float32).reshape(len(queries), DIM)
corpus_file = f"{a.dataset}/corpus.jsonl.gz"
documents = jsonl(corpus_file if os.path.exists(corpus_file) else f"{a.dataset}/corpus.jsonl")
title = {d["_id"]: d.get("title", "") for d in documents}
body = {d["_id"]: d.get("text", "") for d in documents}
qrels = {}
with open(f"{a.dataset}/qrels/{a.split}.tsv") as f:
    for i, line in enumerate(f):
        q, doc, grade = line.rstrip("\n").split("\t")[:3]
        if i == 0 and not grade.strip().isdigit():
            continue
        qrels.setdefault(q, {})[doc] = int(grade)

source = [c["source"] for c in chunks]
judged_queries = [(i, q) for i, q in enumerate(queries) if any(g > 0 for g in qrels.get(q["id"], {}).values())]
stemmer = Stemmer.Stemmer("english")
query_tokens = bm25s.tokenize([q["text"] for _, q in judged_queries], stopwords="en", stemmer=stemmer, show_progress=False)


def with_title(src, text):
    return text if text.startswith(title[src]) else f"{title[src]} {text}"


def ndcg(ranked, judged, k=10):
    dcg = sum(judged.get(d, 0) / math.log2(r + 2) for r, d in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(r + 2) for r, g in enumerate(sorted(judged.values(), reverse=True)[:k]))
    return dcg / ideal if ideal > 0 else 0.0


def first_occurrence(ids):
    seen = set()
    return [d for d in ids if not (d in seen or seen.add(d))]


def tmm(dense, bm25, alpha):
    """Theoretical min-max: each list's scores over its best, from 0; a convex sum with dense weight alpha."""
    fused = {}
    for (keys, scores), weight in ((dense, alpha), (bm25, 1 - alpha)):
        if len(scores) and scores[0] > 0:
            for key, score in zip(keys, scores):
                fused[key] = fused.get(key, 0.0) + weight * max(float(score), 0.0) / float(scores[0])
    return sorted(fused, key=lambda key: -fused[key])


dense_lists = []
for i, _ in judged_queries:
    scores = vectors @ query_vectors[i]
    top = np.argpartition(-scores, DEPTH)[:DEPTH]
    top = top[np.argsort(-scores[top])]
    dense_lists.append((list(top), scores[top]))


def bm25(texts, method, k1, b):
    index = bm25s.BM25(method=method, k1=k1, b=b)
    index.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    return index.retrieve(query_tokens, k=DEPTH, show_progress=False, n_threads=1)


def report(name, results, scores, doc_ids=None):
    """doc_ids: the BM25 list ranks documents (fuse at document level); else it ranks chunks."""
    rows = {"bm25": [], **{f"tmm {alpha}": [] for alpha in ALPHAS}}
    for j, (_, q) in enumerate(judged_queries):
        judged = qrels[q["id"]]
        if doc_ids is None:
            rows["bm25"].append(ndcg(first_occurrence([source[k] for k in results[j][:SHOWN]]), judged))
            for alpha in ALPHAS:
                fused = tmm(dense_lists[j], (list(results[j]), scores[j]), alpha)[:SHOWN]
                rows[f"tmm {alpha}"].append(ndcg(first_occurrence([source[k] for k in fused]), judged))
        else:
            rows["bm25"].append(ndcg([doc_ids[k] for k in results[j]], judged))
            best = {}
            for k, s in zip(*dense_lists[j]):
                best.setdefault(source[k], s)
            dense_docs = (list(best), np.array(list(best.values())))
            for alpha in ALPHAS:
                fused = tmm(dense_docs, ([doc_ids[k] for k in results[j]], scores[j]), alpha)
                rows[f"tmm {alpha}"].append(ndcg(fused, judged))
    print(f"{name:32} " + "  ".join(f"{k} {np.mean(v):.4f}" for k, v in rows.items()), flush=True)


dense_ndcg = np.mean([ndcg(first_occurrence([source[k] for k in dense_lists[j][0][:SHOWN]]), qrels[q["id"]]) for j, (_, q) in enumerate(judged_queries)])
print(f"{a.corpus} ({a.split}): {len(judged_queries)} queries, nDCG@10; dense {dense_ndcg:.4f}")
for method, k1, b in SETTINGS:
    report(f"chunk {method} k1 {k1} b {b}", *bm25([with_title(s, c["text"]) for s, c in zip(source, chunks)], method, k1, b))
by_source = {}
for i, c in enumerate(sorted(range(len(chunks)), key=lambda i: (source[i], chunks[i]["chunkIndex"]))):
    by_source.setdefault(source[c], []).append(c)
position = {c: (s, p) for s, cs in by_source.items() for p, c in enumerate(cs)}
for width in (1, 2):
    texts = []
    for i in range(len(chunks)):
        s, p = position[i]
        texts.append(with_title(s, " ".join(chunks[c]["text"] for c in by_source[s][max(0, p - width) : p + width + 1])))
    for method, k1, b in SETTINGS[:2]:
        report(f"window {width} {method} k1 {k1} b {b}", *bm25(texts, method, k1, b))
doc_ids = sorted(title)
for method, k1, b in SETTINGS:
    report(f"doc {method} k1 {k1} b {b}", *bm25([f"{title[d]} {body[d]}" for d in doc_ids], method, k1, b), doc_ids=doc_ids)
