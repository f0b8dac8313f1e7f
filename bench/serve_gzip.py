"""Serve site/ on 127.0.0.1 with gzip, as GitHub Pages serves it (benchmark helper, not part of the portal)."""
from __future__ import annotations

import gzip
import http.server
import io
import sys
from functools import partial

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv", ".jsonld", ".map")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Answer like a static host: text compressed with gzip when the client accepts it, cached for 10 minutes."""

    def send_head(self):  # type: ignore[no-untyped-def]
        """Compress text files in memory when the request accepts gzip."""
        path = self.translate_path(self.path)
        if self.path.endswith("/"):
            path += "/index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.endswith(COMPRESSIBLE):
            return super().send_head()
        try:
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), compresslevel=6, mtime=0)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


def main() -> None:
    """Serve DIR on PORT: python bench/serve_gzip.py PORT DIR."""
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = partial(GzipHandler, directory=directory)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
