"""lightrag_wait (module side): one look at a LightRAG-shaped HTTP server."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.modules.lightrag_wait import is_finished, look


class FakeLightRAG(BaseHTTPRequestHandler):
    """Answers the two endpoints the module reads, as LightRAG 1.5.7 shapes them."""
    answers = {}
    seen_keys = []

    def do_GET(self):
        self.seen_keys.append(self.headers.get('X-API-Key'))
        body = self.answers.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(('127.0.0.1', 0), FakeLightRAG)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % httpd.server_port
    httpd.shutdown()


def answer(counts, busy, message=''):
    FakeLightRAG.answers = {
        '/documents/status_counts': {'status_counts': counts},
        '/documents/pipeline_status': {'busy': busy, 'latest_message': message},
    }


def test_busy_queue_is_not_finished(server):
    answer({'processed': 3, 'pending': 4, 'processing': 1, 'all': 8}, True, 'Chunk 2 of 5 extracted')
    result = look(server, 'k3y', 5)
    assert (result['total'], result['processed'], result['unfinished'], result['failed_documents']) == (8, 3, 5, 0)
    assert result['busy'] is True and not is_finished(result)
    assert FakeLightRAG.seen_keys[-1] == 'k3y'


def test_upper_case_statuses_and_failures(server):
    answer({'PROCESSED': 7, 'FAILED': 1}, False)
    result = look(server, None, 5)
    assert (result['processed'], result['failed_documents'], result['unfinished']) == (7, 1, 0)
    assert is_finished(result)  # finished; failures are the caller's decision
    assert FakeLightRAG.seen_keys[-1] is None


def test_idle_pipeline_with_pending_documents_is_not_finished(server):
    answer({'processed': 2, 'pending': 1}, False)
    assert not is_finished(look(server, None, 5))


def test_lightrag_not_answering_is_reported_not_raised():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    result = look('http://127.0.0.1:%d' % port, None, 2)
    assert result['error'] and not is_finished(result)
