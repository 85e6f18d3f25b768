"""Run inside the customer's LightRAG container (python3 -, script on stdin):
asks the embedding service and the LLM endpoint exactly as LightRAG will reach
them, with LightRAG's own settings and keys, and prints one JSON line.
Keys stay in the container's environment; none is printed."""
import json
import os
import urllib.error
import urllib.request


def call(url, key, body=None, timeout=20):
    headers = {'Content-Type': 'application/json'}
    if key:
        headers['Authorization'] = 'Bearer ' + key
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method='POST' if data else 'GET')
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.read()


def embedding():
    host = os.environ.get('EMBEDDING_BINDING_HOST', '').rstrip('/')
    model = os.environ.get('EMBEDDING_MODEL', '')
    out = dict(url=host, model=model, configured_dim=os.environ.get('EMBEDDING_DIM'))
    try:
        _status, raw = call(host + '/embeddings', os.environ.get('EMBEDDING_BINDING_API_KEY'),
                            dict(model=model, input=['dimension probe']))
        out.update(ok=True, dim=len(json.loads(raw)['data'][0]['embedding']))
    except Exception as exc:  # reported, the play decides
        out.update(ok=False, error='%s: %s' % (type(exc).__name__, exc))
    return out


def llm():
    host = os.environ.get('LLM_BINDING_HOST', '').rstrip('/')
    out = dict(url=host, binding=os.environ.get('LLM_BINDING', ''))
    # /models is cheap and costs no tokens. 404/405: the server answers but has no
    # such route (fine); 401/403: LightRAG's key would be refused too (not fine).
    path = '/api/tags' if out['binding'] == 'ollama' else '/models'
    try:
        status, _raw = call(host + path, os.environ.get('LLM_BINDING_API_KEY'))
        out.update(ok=True, status=status)
    except urllib.error.HTTPError as exc:
        out.update(ok=exc.code in (404, 405), status=exc.code, error='HTTP %s' % exc.code)
    except Exception as exc:
        out.update(ok=False, error='%s: %s' % (type(exc).__name__, exc))
    return out


print(json.dumps(dict(embedding=embedding(), llm=llm())))
