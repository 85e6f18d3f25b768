#!/usr/bin/env python3
"""Lab stand-in for TEI (Jina Code V2) on :8090: OpenAI-compatible POST /v1/embeddings.

Not a model. Each text becomes a deterministic unit vector by feature hashing
its tokens (identifiers split on camelCase/snake_case, plus word bigrams), so
texts sharing words have a high cosine similarity. EMBEDDING_DIM sets the size.
"""
import base64
import hashlib
import math
import os
import re
import struct
from collections import Counter

from httpjson import Handler, serve

DIM = int(os.environ.get("EMBEDDING_DIM", "768"))
MODEL = os.environ.get("EMBEDDING_MODEL", "jinaai/jina-embeddings-v2-base-code")
WORD = re.compile(r"[A-Za-z][a-z0-9]*|[A-Z]+(?![a-z])|\d+|[\u3400-\u9fff]")


def features(text):
    words = [w.lower() for w in WORD.findall(text)]
    feats = Counter(words)
    feats.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return feats


def embed(text):
    vec = [0.0] * DIM
    for feat, tf in features(text).items():
        h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
        vec[h % DIM] += (1.0 + math.log(tf)) * (1 if (h >> 32) & 1 else -1)
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0:  # empty text: a fixed unit vector, never a zero vector (cosine NaN)
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


class Embedding(Handler):
    routes = {
        ("POST", "/v1/embeddings"): "embeddings",
        ("POST", "/embeddings"): "embeddings",
        ("GET", "/health"): "health",
        ("GET", "/info"): "info",
    }

    def embeddings(self, body):
        self.stats.count("embeddings")
        texts = body.get("input", "")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return self.send_json(422, {"error": {"message": "input must be a string or a list of strings"}})
        b64 = body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            vec = embed(text)
            emb = base64.b64encode(struct.pack(f"<{DIM}f", *vec)).decode() if b64 else vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens = sum(len(WORD.findall(t)) for t in texts)
        self.send_json(200, {"object": "list", "data": data, "model": body.get("model") or MODEL,
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def health(self, _body):
        self.send_json(200, {"status": "ok", "standin": "embedding", "model": MODEL, "dim": DIM})

    def info(self, _body):  # TEI's GET /info, trimmed
        self.send_json(200, {"model_id": MODEL, "model_type": {"embedding": {"pooling": "mean"}},
                             "max_input_length": 8192, "standin": True})


if __name__ == "__main__":
    serve(Embedding, 8090)
