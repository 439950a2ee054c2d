#!/usr/bin/env python3
"""Checks docs/host-facts.schema.json: a valid JSON Schema, and every host of
examples/fleet.ndjson conforms to it (so the schema and the examples stay true)."""

import json
import sys
from pathlib import Path

import jsonschema

root = Path(__file__).resolve().parent.parent
schema = json.loads((root / "docs/host-facts.schema.json").read_text(encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failed = 0
for n, line in enumerate((root / "examples/fleet.ndjson").read_text(encoding="utf-8").splitlines(), 1):
    if line.strip():
        for error in validator.iter_errors(json.loads(line)):
            print(f"examples/fleet.ndjson:{n}: {error.message}", file=sys.stderr)
            failed += 1
if failed:
    sys.exit(1)
print("check_schema: OK docs/host-facts.schema.json, examples/fleet.ndjson")
