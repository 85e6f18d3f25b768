#!/usr/bin/env python3
"""Write tiktoken cache files from the npm `tiktoken` package (no internet needed).

Usage: tiktoken_from_npm.py TIKTOKEN_TGZ OUT_DIR [ENCODING ...]

The npm package's encoders/<name>.json holds `bpe_ranks` as lines of
`! <first rank> <b64> <b64> ...`; Python tiktoken wants one `<b64> <rank>` line
per token, in a file named sha1(<download URL>) under TIKTOKEN_CACHE_DIR, and
rejects (deletes, then re-downloads) it unless its sha256 matches.
"""
import hashlib
import json
import os
import sys
import tarfile

# From tiktoken_ext/openai_public.py (tiktoken 0.14.0).
ENCODINGS = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}


def convert(bpe_ranks: str) -> bytes:
    ranks = []
    for line in bpe_ranks.splitlines():
        if not line:
            continue
        parts = line.split(" ")
        if parts[0] == "!":  # compact run: consecutive ranks from parts[1]
            first = int(parts[1])
            ranks.extend((tok, first + i) for i, tok in enumerate(parts[2:]))
        else:  # already `<b64> <rank>`
            ranks.append((parts[0], int(parts[1])))
    ranks.sort(key=lambda r: r[1])
    return "".join(f"{tok} {rank}\n" for tok, rank in ranks).encode()


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tgz, out_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:] or ["o200k_base"]
    os.makedirs(out_dir, exist_ok=True)
    with tarfile.open(tgz) as tar:
        for name in names:
            url, want = ENCODINGS[name]
            member = tar.extractfile(f"package/encoders/{name}.json")
            data = convert(json.load(member)["bpe_ranks"])
            got = hashlib.sha256(data).hexdigest()
            if got != want:
                print(f"{name}: sha256 {got} != expected {want}", file=sys.stderr)
                return 1
            path = os.path.join(out_dir, hashlib.sha1(url.encode()).hexdigest())
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
