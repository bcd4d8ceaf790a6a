"""Character-encoding detection for text sources (CSV, JSON Lines …).

Government feeds come as UTF-8 (with or without a byte-order mark), GBK or GB18030, and
sometimes as UTF-8 with a few rows pasted in from a GBK system. :func:`detect_encoding`
looks at a sample of the first bytes of a source (about 64 KB) and names the codec to read
it with, in this order:

1. a byte-order mark decides: ``utf-8-sig``, ``utf-16`` or ``utf-32``;
2. a sample that is valid UTF-8 is ``utf-8`` (pure ASCII included);
3. a sample that is *mostly* UTF-8 (more of its non-ASCII lines valid UTF-8 than not) is
   ``utf-8``: the reader then reports each bad row as ``source.encoding`` and still checks
   it. This comes before GB18030, which accepts many UTF-8 byte sequences as (wrong) text;
4. a sample that is valid, or mostly valid, GB18030 is ``gb18030``. GB18030 is a superset of
   GBK (and of GB2312), so every GBK file is valid GB18030; ``gb18030`` is always the answer
   for that family, which also keeps the four-byte characters GBK lacks;
5. otherwise charset-normalizer guesses (a GBK-family answer is reported as ``gb18030``);
   with no guess at all, ``utf-8``.

The sample may end in the middle of a multi-byte character; unless ``final`` is true, an
incomplete sequence at its very end is not held against an encoding.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["SAMPLE_BYTES", "EncodingGuess", "detect_encoding", "normalize_encoding"]

#: how many bytes of a source are enough to decide its encoding
SAMPLE_BYTES = 64 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "euc-cn"})


@dataclass(frozen=True, slots=True)
class EncodingGuess:
    """The codec to read a source with, and why."""

    #: a Python codec name: ``utf-8``, ``utf-8-sig``, ``gb18030`` …
    encoding: str
    #: how it was decided: ``bom``, ``valid``, ``mostly-utf-8``, ``mostly-gb18030``,
    #: ``charset-normalizer`` or ``fallback``
    reason: str


def normalize_encoding(name: str) -> str:
    """The canonical codec name for ``name``; GBK-family names become ``gb18030``.

    Raises :class:`LookupError` for a name Python does not know.
    """
    canonical = codecs.lookup(name).name
    if canonical in _GB_FAMILY or name.lower() in _GB_FAMILY:
        return "gb18030"
    return canonical


def _decodes(sample: bytes, encoding: str, final: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(sample, final)
    except UnicodeDecodeError:
        return False
    return True


def _line_votes(sample: bytes, encoding: str) -> tuple[int, int]:
    """Count the lines with non-ASCII bytes that are (valid, invalid) in ``encoding``.

    The last line is left out: the sample may end in the middle of it.
    """
    valid = invalid = 0
    for line in sample.splitlines()[:-1] or sample.splitlines():
        if line.isascii():
            continue
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            invalid += 1
        else:
            valid += 1
    return valid, invalid


def detect_encoding(sample: bytes, *, final: bool = False) -> EncodingGuess:
    """Name the encoding of a source from the first bytes of it.

    ``final`` says that ``sample`` is the whole source (so an incomplete character at its
    end is an error, not a cut).
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return EncodingGuess(name, "bom")
    if sample.isascii() or _decodes(sample, "utf-8", final):
        return EncodingGuess("utf-8", "valid")
    # Mostly-UTF-8 comes before GB18030: GB18030 is so permissive that UTF-8 Chinese text
    # often decodes as (meaningless) GB18030 without an error.
    valid, invalid = _line_votes(sample, "utf-8")
    if valid > invalid:
        return EncodingGuess("utf-8", "mostly-utf-8")
    if _decodes(sample, "gb18030", final):
        return EncodingGuess("gb18030", "valid")
    valid, invalid = _line_votes(sample, "gb18030")
    if valid > invalid:
        return EncodingGuess("gb18030", "mostly-gb18030")
    guess = _charset_normalizer_guess(sample)
    if guess is not None:
        return EncodingGuess(guess, "charset-normalizer")
    return EncodingGuess("utf-8", "fallback")


def _charset_normalizer_guess(sample: bytes) -> str | None:
    # Imported here: detection of hard cases is rare, and the import costs ~50 ms.
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return None
    try:
        return normalize_encoding(best.encoding)
    except LookupError:
        return None
