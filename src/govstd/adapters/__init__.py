"""Vendor adapters: map a vendor's export to a standard and back, losing nothing.

- :mod:`govstd.adapters.model`: :class:`Adapter`, :class:`Column`, the adapting reader and
  :class:`AdaptedBatch`;
- :mod:`govstd.adapters.mapping`: declarative mapping files (:func:`load_adapter`);
- :mod:`govstd.adapters.values`: value types (text, identity numbers, dates, codes, phones,
  decimals) with their fixes and problems.

Adapters are registered through the ``govstd_adapters`` hook; see ``docs/adapters.md``.
"""

from __future__ import annotations

from govstd.adapters.mapping import load_adapter, parse_adapter
from govstd.adapters.model import AdaptedBatch, Adapter, AdapterReader, Column, standard_fields
from govstd.adapters.values import ValueRule, builtin_value_types

__all__ = [
    "AdaptedBatch",
    "Adapter",
    "AdapterReader",
    "Column",
    "ValueRule",
    "builtin_value_types",
    "load_adapter",
    "parse_adapter",
    "standard_fields",
]
