"""Turn an agency's YAML records into a transparency portal (pages, charts, site)."""
from __future__ import annotations

__version__ = "0.1.0"
