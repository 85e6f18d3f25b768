#!/usr/bin/env python3
"""Lab stand-in for an OpenAI-compatible LLM on :8091 (POST /v1/chat/completions).

Not a model. It recognises LightRAG 1.5.7's prompts (lightrag/prompt.py) and
answers them deterministically: entity extraction and gleaning from code
identifiers (codegraph.py), description summaries, query keywords, RAG answers.
Anything else gets a short generic answer, never an error. Streams (SSE) when
asked. GET /stats counts calls by kind.
"""
import json
import os
import re
import time

import codegraph
from httpjson import Handler, serve

MODEL = os.environ.get("LLM_MODEL", "loomgraph-lab-llm")
TUPLE, DONE = "<|#|>", "<|COMPLETE|>"
LIMITS = re.compile(r"at most (\d+) total (?:rows|records) and at most (\d+) entity (?:rows|objects)")
STOP = set("the a an and or of to in on for with what which who how why is are was does do "
           "this that these those it its be by from as at about me tell show explain".split())


def text_of(content):
    if isinstance(content, list):  # OpenAI content parts
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def input_text(prompt):
    start = prompt.find("---Input Text---\n```\n")
    end = prompt.rfind("\n```\n\n---Output---")
    return prompt[start + 21 : end] if start >= 0 and end > start else ""


def classify(system, user):
    if "Based on the last extraction task" in user:
        return "glean"
    if "---Input Text---" in user and "Extract entities and relationships" in user:
        return "extract"
    if "Description List:" in user or "Description List:" in system:
        return "summary"
    if "expert keyword extractor" in system + user:
        return "keywords"
    if "---Context---" in system + user:
        return "rag"
    return "other"


# --- entity extraction -------------------------------------------------------

def already_emitted(history):
    """Entity names and relation pairs the previous answers already gave."""
    names, pairs = set(), set()
    for text in history:
        try:
            data = json.loads(text)
            names.update(e.get("name") for e in data.get("entities", []))
            pairs.update((r.get("source"), r.get("target")) for r in data.get("relationships", []))
            continue
        except (ValueError, AttributeError):
            pass
        for line in text.splitlines():
            parts = line.split(TUPLE)
            if parts[0] == "entity" and len(parts) == 4:
                names.add(parts[1])
            elif parts[0] == "relation" and len(parts) == 5:
                pairs.add((parts[1], parts[2]))
    return names, pairs


def extraction(code, prompt, history, as_json):
    limits = LIMITS.search(prompt)
    max_total, max_ents = (int(limits.group(1)), int(limits.group(2))) if limits else (100, 40)
    graph = codegraph.analyze(code)
    done_names, done_pairs = already_emitted(history)
    ents = [e for e in graph.described() if e[0] not in done_names][:max_ents]
    usable = done_names | {e[0] for e in ents}
    rels = [(s, t, k, d) for (s, t), (k, d) in graph.relations.items()
            if s in usable and t in usable and (s, t) not in done_pairs]
    rels = rels[: max(0, max_total - len(ents))]
    if as_json:
        return json.dumps({
            "entities": [{"name": n, "type": t, "description": d} for n, t, d in ents],
            "relationships": [{"source": s, "target": t, "keywords": k, "description": d}
                              for s, t, k, d in rels]}, ensure_ascii=False)
    rows = [TUPLE.join(("entity", n, t, d)) for n, t, d in ents]
    rows += [TUPLE.join(("relation", s, t, k, d)) for s, t, k, d in rels]
    return "\n".join(rows + [DONE])


# --- other LightRAG prompts ---------------------------------------------------

def summary(prompt):
    name = re.search(r"^\w+ Name: (.*)$", prompt, re.M)
    limit = re.search(r"must not exceed (\d+) tokens", prompt)
    sentences = []
    for raw in re.findall(r'^\{"Description": .*\}$', prompt, re.M):
        try:
            desc = json.loads(raw)["Description"]
        except (ValueError, KeyError):
            continue
        for s in re.split(r"(?<=\.)\s+", desc):
            if s and s not in sentences:
                sentences.append(s)
    text = " ".join(sentences) or f"{name.group(1) if name else 'This item'} appears in the indexed code."
    return text[: int(limit.group(1)) * 4] if limit else text


def keywords(prompt):
    m = re.search(r"User Query: (.*?)\n\n---Output---", prompt, re.S)
    words = re.findall(r"[\w.]+", m.group(1) if m else "")
    words = [w.strip(".") for w in words if w.lower() not in STOP and len(w) > 2]
    if len(words) < 2 and not any("_" in w or "." in w for w in words):
        return json.dumps({"high_level_keywords": [], "low_level_keywords": []})  # "hello", "ok"
    low = [w for w in words if re.search(r"[A-Z_.]|\d", w[1:]) or "_" in w or w[:1].isupper()]
    high = [w for w in words if w not in low]
    if not low:
        low = high[:3]
    dedup = lambda xs: list(dict.fromkeys(xs))[:6]  # noqa: E731
    return json.dumps({"high_level_keywords": dedup(high), "low_level_keywords": dedup(low)})


def rag_answer(context, question):
    ents = re.findall(r'"entity":\s*"([^"]+)"', context)
    refs = re.findall(r"^\[(\d+)\] (.+)$", context, re.M)
    if not ents and not refs:
        return "I do not have enough information in the knowledge base to answer that."
    q = question.lower()
    words = set(re.findall(r"[a-z0-9]+", q))
    exact = [e for e in ents if e.lower() in q]
    near = [e for e in ents if e not in exact and words & set(re.findall(r"[a-z0-9]+", e.lower()))]
    hits = exact + near or ents
    lines = ["Based on the knowledge base (lab stand-in LLM, not a real model):", ""]
    lines += [f"- **{e}** is part of the indexed code." for e in hits[:5]]
    lines += ["", "### References", ""] + [f"- [{n}] {title}" for n, title in refs[:5]]
    return "\n".join(lines)


def answer(body):
    msgs = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    system = "\n".join(text_of(m.get("content")) for m in msgs if m.get("role") == "system")
    users = [text_of(m.get("content")) for m in msgs if m.get("role") == "user"]
    user = users[-1] if users else ""
    kind = classify(system, user)
    as_json = "JSON Contract" in system or (body.get("response_format") or {}).get("type") == "json_object"
    try:
        if kind == "extract":
            return kind, extraction(input_text(user), user, [], as_json)
        if kind == "glean":
            source = next((u for u in reversed(users) if "---Input Text---" in u), "")
            prior = [text_of(m.get("content")) for m in msgs if m.get("role") == "assistant"]
            return kind, extraction(input_text(source), user, prior, as_json)
        if kind == "summary":
            return kind, summary(user or system)
        if kind == "keywords":
            return kind, keywords(system + "\n" + user)
        if kind == "rag":
            return kind, rag_answer(system + "\n" + user, user)
    except Exception as exc:  # a stand-in must answer, whatever it was sent
        return "error", f"(lab stand-in could not handle this {kind} prompt: {exc})"
    return kind, f"Lab stand-in LLM reply: received {len(system) + len(user)} characters; no real model here."


class LLM(Handler):
    routes = {
        ("POST", "/v1/chat/completions"): "chat",
        ("POST", "/chat/completions"): "chat",
        ("GET", "/v1/models"): "models",
        ("GET", "/health"): "health",
    }

    def chat(self, body):
        kind, text = answer(body)
        self.stats.count(kind, streamed=bool(body.get("stream")))
        model = body.get("model") or MODEL
        usage = {"prompt_tokens": 0, "completion_tokens": len(text) // 4, "total_tokens": len(text) // 4}
        base = {"id": f"chatcmpl-lab-{time.time_ns()}", "created": int(time.time()), "model": model}
        if not body.get("stream"):
            return self.send_json(200, {**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")  # no length: the end of the body is the close
        self.end_headers()
        self.close_connection = True
        chunk = lambda delta, fin=None: {**base, "object": "chat.completion.chunk",  # noqa: E731
                                         "choices": [{"index": 0, "delta": delta, "finish_reason": fin}]}
        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": text[i : i + 64]}) for i in range(0, len(text), 64)]
        events.append(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        for ev in events:
            self.wfile.write(f"data: {json.dumps(ev, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def models(self, _body):
        self.send_json(200, {"object": "list", "data": [
            {"id": MODEL, "object": "model", "created": 0, "owned_by": "loomgraph-lab"}]})

    def health(self, _body):
        self.send_json(200, {"status": "ok", "standin": "llm", "model": MODEL})


if __name__ == "__main__":
    serve(LLM, 8091)
