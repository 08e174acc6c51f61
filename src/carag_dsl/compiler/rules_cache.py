"""The generated routing code of a rule set, kept between processes (with :mod:`~carag_dsl.language.ast_cache`).

Writing the routing function's source takes a few milliseconds for the CARaG
and grows with the rule set (most of a second at 10,000 questions), so it is
kept, keyed by the hash of every rule file's text in load order and of the
code of the parser and compiler (:func:`~carag_dsl.language.ast_cache.code_fingerprint`):
an edited rule file or a new carag-dsl never reads an old entry.

Why running code read from this cache is safe: an entry is ``routing-KEY.json``
in the private per-user folder (:mod:`~carag_dsl.language.private_cache`: a
folder we own, mode 0700, read only when the file is ours and nobody else can
write it), the same folder and checks as the parser tables. Only this module
writes there, and it writes only source that :func:`~.codegen.generate_source`
produced from a checked rule set. The entry holds that source as text (never
a pickle or bytecode) with its SHA-256 and its key; the source is used only
when both match, so a truncated, corrupted or misplaced entry is ignored and
written afresh. Anyone able to write a matching entry there already owns our
home folder and could run code as us without carag.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from carag_dsl.language.ast_cache import cache_folder, code_fingerprint
from carag_dsl.language.private_cache import read_entry, write_entry

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules


def rules_key(ruleset: "CheckedRules") -> str:
    """The hash of the rule files' texts, in load order, and of the compiler's code."""
    digest = hashlib.sha256(str(code_fingerprint()).encode("ascii"))
    for module in ruleset.modules:
        digest.update(b"\0" + module.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def routing_source(ruleset: "CheckedRules") -> str:
    """:func:`~.codegen.generate_source` of the rule set, read from the cache when a verified entry is there."""
    from carag_dsl.compiler.codegen import generate_source  # only when the source is written, not read

    folder = cache_folder()
    if folder is None:
        return generate_source(ruleset)
    key = rules_key(ruleset)
    entry = folder / f"routing-{key}.json"
    source = _verified_source(read_entry(entry, key))
    if source is None:
        source = generate_source(ruleset)
        write_entry(folder, entry, key, {"sha256": _sha256(source), "source": source})
    return source


def _verified_source(stored: dict | None) -> str | None:
    """The source an entry holds when it is text whose SHA-256 is the one written beside it."""
    if stored is None:
        return None
    source = stored.get("source")
    if isinstance(source, str) and stored.get("sha256") == _sha256(source):
        return source
    return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
