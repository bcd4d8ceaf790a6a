"""Ordering two regular expressions, as far as it can be done safely.

Whether one regular language contains another is not decided here in general. A pattern
change is ordered only when one pattern's top-level alternatives are a subset of the other's
(``^(A|B)$`` → ``^A$`` is tightened, the reverse loosened); ``\\d`` and ``[0-9]`` are the same
(JSON Schema patterns are ECMA-262, where ``\\d`` is ASCII). Anything else is ``changed``,
which the differ counts as breaking for both sides.
"""

from __future__ import annotations

__all__ = ["pattern_relation"]


def _split_top(text: str) -> list[str]:
    """``text`` split at ``|`` outside groups and character classes."""
    parts, depth, in_class, start, index = [], 0, False, 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if text.startswith("]", index + 1) or text.startswith("^]", index + 1):
                index += 1 if text[index + 1] == "]" else 2
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _group_spans_all(body: str) -> str | None:
    """The inside of ``(...)``/``(?:...)`` when one group spans all of ``body``."""
    if not body.startswith("(") or not body.endswith(")"):
        return None
    opener = "(?:" if body.startswith("(?:") else "("
    if body.startswith("(?") and opener == "(":
        return None  # lookarounds and named groups: leave alone
    depth, in_class, index = 0, False, 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and index != len(body) - 1:
                return None
        index += 1
    return body[len(opener) : -1]


def _alternatives(pattern: str) -> frozenset[str]:
    """The whole-pattern alternatives of ``pattern``, each written as a full pattern."""
    text = pattern.replace("\\d", "[0-9]")
    if text.startswith("^") and text.endswith("$") and not text.endswith("\\$"):
        body = text[1:-1]
        inner = _group_spans_all(body)
        pieces = _split_top(inner if inner is not None else body)
        return frozenset(f"^{p}$" for p in pieces)
    return frozenset(_split_top(text))


def pattern_relation(old: str | None, new: str | None) -> str:
    """How a ``pattern`` changed: ``tightened``, ``loosened``, ``changed`` or ``same``.

    Regular-language inclusion is not decided in general; a change is ordered only when one
    pattern's top-level alternatives are a subset of the other's (``^(A|B)$`` → ``^A$`` is
    tightened). Anything else is ``changed``: breaking for both sides, to be safe.
    """
    if old == new:
        return "same"
    if old is None:
        return "tightened"
    if new is None:
        return "loosened"
    before, after = _alternatives(old), _alternatives(new)
    if before == after:
        return "same"
    if after <= before:
        return "tightened"
    if before <= after:
        return "loosened"
    return "changed"
