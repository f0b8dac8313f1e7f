"""Split a portal's build by agency across processes or CI runners, and merge the parts into one site."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import Content, content_digest
from .errors import BuildError, UsageError
from .paths import agency_of

MARKER = ".portal-shard.json"  # written into each part, read and left out by the merge
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """One part of a build: part `index` of `count`, counted from 1."""

    index: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """Read "2/3" (the second of three parts), or refuse in Chinese."""
        found = _SPEC.match(spec)
        if not found or not 1 <= int(found[1]) <= int(found[2]):
            raise UsageError(f"分片「{spec}」的寫法不對；請寫成 第幾片/共幾片，例如 --shard 1/2（從 1 數起）")
        return cls(int(found[1]), int(found[2]))

    def owns(self, path: str, agencies: list[str]) -> bool:
        """Tell whether this part writes a file of the site: an agency's files go to its part, the rest to part 1."""
        return owner(path, agencies, self.count) == self.index


def owner(path: str, agencies: list[str], count: int) -> int:
    """Return which part writes a file: agencies are dealt out in order of their ids, the rest goes to part 1."""
    first, _, rest = path.partition("/")
    found = agency_of(path, agencies)
    if first == "search" and rest.endswith(".json"):
        found = agency_of(rest.removesuffix(".json"), agencies)  # an agency's search shard goes with its pages
    ordered = sorted(agencies)
    return ordered.index(found) % count + 1 if found is not None else 1


def write_marker(site_dir: Path, shard: Shard, digest: str) -> None:
    """Record in a part which part it is and what it was built from, for the merge to check."""
    (site_dir / MARKER).write_text(
        json.dumps({"shard": shard.index, "of": shard.count, "input": digest}, sort_keys=True) + "\n", encoding="utf-8"
    )


def input_digest(files: Iterable[tuple[str, Content]]) -> str:
    """Digest the generated tree a part was built from: the same data and code give the same digest."""
    total = hashlib.sha256()
    for path, content in sorted(files, key=lambda file: file[0]):
        total.update(path.encode("utf-8") + b"\0" + content_digest(content).encode("ascii") + b"\n")
    return total.hexdigest()


def _marker(part: Path) -> dict[str, object]:
    try:
        found = json.loads((part / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"{part} 不是分片建置的結果（缺少 {MARKER}）；請先執行 portal build --shard 1/N") from None
    if not isinstance(found, dict):
        raise UsageError(f"{part}/{MARKER} 的內容不對；請重新建置這個分片")
    return found


def merge(parts: list[Path], staging: Path) -> int:
    """Copy every part into `staging`, refusing missing parts, mixed inputs and any file two parts write differently."""
    markers = [(part, _marker(part)) for part in parts]
    counts = {m.get("of") for _, m in markers}
    inputs = {m.get("input") for _, m in markers}
    if len(counts) != 1 or len(inputs) != 1:
        raise BuildError("這些分片不是由同一份資料與程式、同一種分法建置的，無法合併；請用同一個版本重新建置每一片。")
    count = counts.pop()
    have = sorted(int(str(m.get("shard"))) for _, m in markers)
    if not isinstance(count, int) or have != list(range(1, count + 1)):
        missing = sorted(set(range(1, int(str(count)) + 1)) - set(have)) if isinstance(count, int) else []
        raise BuildError(
            f"分片不齊或重複：共 {count} 片，收到第 {'、'.join(map(str, have))} 片"
            + (f"，缺第 {'、'.join(map(str, missing))} 片" if missing else "") + "。"
        )
    written: dict[str, Path] = {}
    for part, _ in markers:
        for source in sorted(part.rglob("*")):
            relative = source.relative_to(part).as_posix()
            if source.is_dir() or relative == MARKER:
                continue
            target = staging / relative
            if relative in written:
                if target.read_bytes() != source.read_bytes():
                    raise BuildError(f"{written[relative].name} 與 {part.name} 的 {relative} 內容不同，無法合併。")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            written[relative] = part
    return len(written)
