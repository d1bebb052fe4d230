#!/usr/bin/python3
"""Checks docs/api.yaml the way a client generator would rely on it, and optionally a response body
against one of its schemas.

usage: check_openapi.py API.yaml [SCHEMA_NAME BODY.json]

Checks: the file parses as YAML; it says OpenAPI 3.0.3; every path and method the query listener serves is
there; every $ref resolves; every object schema under components/schemas says which fields are required
(or, where no single field is, minProperties) and has an example; every example there is valid against its
own schema. With SCHEMA_NAME and BODY.json the body is validated against that schema too, strictly: a
property the document does not describe is an error, so code and document cannot drift apart.
Prints "ok" and what was checked, or the problems (exit status 1).
"""
import copy
import json
import sys

import jsonschema
import yaml

REQUIRED_OPERATIONS = [
    ("/v1/persons/{personId}/appointments", "get"),
    ("/v1/persons/{personId}/appointments.ics", "get"),
    ("/v1/persons/{personId}/relations", "put"),
    ("/v1/persons/{personId}/relations", "get"),
    ("/rivta/crm/scheduling/GetSubjectOfCareSchedule/1/rivtabp21", "post"),
]

problems = []


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def walk(node, where, visit):
    visit(node, where)
    if isinstance(node, dict):
        for key, value in node.items():
            walk(value, f"{where}/{key}", visit)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk(value, f"{where}[{i}]", visit)


def strict(node):
    """A copy in which every object schema with properties refuses properties it does not list."""
    node = copy.deepcopy(node)

    def tighten(n, _where):
        if isinstance(n, dict) and n.get("type") == "object" and "properties" in n:
            n.setdefault("additionalProperties", False)

    walk(node, "", tighten)
    return node


def validator_for(doc, schema_name, strict_mode):
    root = strict(doc) if strict_mode else doc
    resolver = jsonschema.RefResolver.from_schema(root)
    return jsonschema.Draft4Validator({"$ref": f"#/components/schemas/{schema_name}"}, resolver=resolver)


def main():
    if len(sys.argv) not in (2, 4):
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        try:
            doc = yaml.safe_load(f)
        except yaml.YAMLError as e:
            print(f"not valid YAML: {e}")
            sys.exit(1)
    if not isinstance(doc, dict):
        raise SystemExit("the document is not a YAML mapping")

    if doc.get("openapi") != "3.0.3":
        problems.append(f"openapi is {doc.get('openapi')!r}, not '3.0.3'")
    for key in ("title", "version", "description"):
        if not doc.get("info", {}).get(key):
            problems.append(f"info.{key} is missing")

    paths = doc.get("paths", {})
    for path, method in REQUIRED_OPERATIONS:
        operation = paths.get(path, {}).get(method)
        if operation is None:
            problems.append(f"{method.upper()} {path} is not described")
        elif not operation.get("responses"):
            problems.append(f"{method.upper()} {path} has no responses")

    refs = []

    def check_ref(node, where):
        if isinstance(node, dict) and "$ref" in node:
            refs.append(node["$ref"])
            if resolve(doc, node["$ref"]) is None:
                problems.append(f"{where}: $ref {node['$ref']} does not resolve")

    walk(doc, "#", check_ref)
    if problems:
        # Validating examples needs every $ref; say what is wrong so far instead.
        print("\n".join(problems))
        sys.exit(1)

    schemas = doc.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if schema.get("type") == "object":
            if not schema.get("required") and not schema.get("minProperties"):
                problems.append(f"schema {name} says nothing is required")
            for field in schema.get("required", []):
                if field not in schema.get("properties", {}):
                    problems.append(f"schema {name} requires {field}, which it does not describe")
        if "example" not in schema:
            problems.append(f"schema {name} has no example")
            continue
        errors = sorted(validator_for(doc, name, True).iter_errors(schema["example"]), key=str)
        for e in errors:
            problems.append(f"schema {name}: its example is invalid at {list(e.absolute_path)}: {e.message}")

    if len(sys.argv) == 4:
        name, body_path = sys.argv[2], sys.argv[3]
        if name not in schemas:
            problems.append(f"no schema {name}")
        else:
            with open(body_path, encoding="utf-8") as f:
                body = json.load(f)
            for e in sorted(validator_for(doc, name, True).iter_errors(body), key=str):
                problems.append(f"body is invalid against {name} at {list(e.absolute_path)}: {e.message}")

    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"ok: {len(paths)} paths, {len(REQUIRED_OPERATIONS)} required operations, {len(refs)} $refs, "
          f"{len(schemas)} schemas with valid examples")


main()
