"""Shared by the JSON Schema fast-path tests: compile a plan, and the plain reference for it."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema.validators

from govstd.catalogue import Catalogue
from govstd.engines.base import CompileContext, SchemaDocument
from govstd.engines.jsonschema import JsonSchemaEngine, JsonSchemaPlan

D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"


def build(catalogue: Catalogue, schema: Any, *, format_check: bool = True) -> JsonSchemaPlan:
    """The engine's compiled plan for ``schema`` (no sibling resources)."""
    document = SchemaDocument(schema, path=None, resources={})
    return JsonSchemaEngine().compile(
        document, CompileContext(catalogue, format_check=format_check)
    )


def reference(plan: JsonSchemaPlan) -> Any:
    """An ordinary python-jsonschema validator for the plan's (ECMA-rewritten) schema."""
    pruned = plan.validator
    cls = jsonschema.validators.validator_for(
        pruned.schema, default=jsonschema.Draft202012Validator
    )
    return cls(pruned.schema, registry=pruned._registry, format_checker=pruned.format_checker)
