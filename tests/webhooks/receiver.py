"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1, in a thread, that checks each POST's
signature as a subscriber would (the README's example) and counts every delivery id it accepted.

`answers` decides the status of each request in turn (then 200): a test makes the receiver fail on purpose."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
from collections import Counter
from collections.abc import Iterable


def signature_is_valid(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: compare, in constant time, the header with the HMAC-SHA256 of the raw body."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class Receiver:
    def __init__(self, secret: str, answers: Iterable[int] = ()) -> None:
        self.secret = secret
        self.answers = list(answers)
        self.accepted: Counter[str] = Counter()  # delivery id -> times received with a valid signature
        self.documents: dict[str, dict] = {}
        self.bad_signatures = 0
        self.requests = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
                pass

            def do_POST(self) -> None:  # noqa: N802 - the base class's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.receive(body, dict(self.headers.items()))
                reply = b"ok" if status < 300 else b"not now"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.requests += 1
            status = self.answers.pop(0) if self.answers else 200
            if status >= 300:
                return status
            if not signature_is_valid(self.secret, body, headers.get("X-CST-Signature", "")):
                self.bad_signatures += 1
                return 401
            document = json.loads(body)
            delivery = headers["X-CST-Delivery"]
            assert document["id"] == delivery
            self.accepted[delivery] += 1
            self.documents[delivery] = document
            return 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
