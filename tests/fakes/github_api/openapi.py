"""GitHub's OpenAPI description, loaded once, used to validate every request and response.

The description comes from the ``@octokit/openapi`` npm package (``tests/npm``). The ``$ref``
form (``api.github.com.json``, 13 MB) loads ten times faster than the dereferenced one, so it
is the one used here: references are resolved per operation, lazily, and the compiled
validators are cached.

OpenAPI 3.0 schemas are not JSON Schema: ``nullable: true`` has no JSON Schema meaning, and
keywords such as ``example``, ``readOnly`` or ``discriminator`` are annotations. Each schema is
translated once (``nullable`` becomes ``anyOf: [{type: null}, <schema>]``, references become
``#/$defs/<name>``) and validated with Draft 2020-12, which honours keywords next to ``$ref``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema  # type: ignore[import-untyped]

JSON = Any

SPEC_PATH = (
    Path(__file__).resolve().parents[2]
    / "npm"
    / "node_modules"
    / "@octokit"
    / "openapi"
    / "generated"
    / "api.github.com.json"
)

_METHODS = ("get", "post", "put", "patch", "delete", "head")
# JSON Schema keywords that carry subschemas, by shape.
_SCHEMA_MAP_KEYS = ("properties", "patternProperties")
_SCHEMA_ONE_KEYS = ("items", "additionalProperties", "not")
_SCHEMA_LIST_KEYS = ("oneOf", "anyOf", "allOf")
# OpenAPI annotations with no validation meaning in JSON Schema.
_DROP_KEYS = {
    "nullable",
    "example",
    "examples",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "deprecated",
    "title",
    "description",
}
_COMPONENT_PREFIX = "#/components/schemas/"

# Statuses GitHub may answer on any operation, whether or not the description lists them;
# their body must still be a basic-error.
GLOBAL_STATUSES = frozenset({401, 403, 404, 429, 500, 502, 503})


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(_date_time)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    raw: Mapping[str, JSON] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Match:
    operation: Operation
    path_params: Mapping[str, str]


class OpenAPI:
    """Routes, parameters and schemas of api.github.com; thread-safe lazy validator cache."""

    def __init__(self, spec: Mapping[str, JSON]) -> None:
        self.spec = spec
        self._schemas: Mapping[str, JSON] = spec["components"]["schemas"]
        self._translated: dict[str, JSON] = {}
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._lock = threading.Lock()
        self.operations: dict[str, Operation] = {}
        # Routes sorted so that the most literal template wins; parameters GitHub marks
        # ``x-multi-segment`` (refs, branches) may span slashes and are tried last.
        self._routes: list[tuple[re.Pattern[str], tuple[str, ...], Operation]] = []
        routes: list[tuple[int, int, re.Pattern[str], tuple[str, ...], Operation]] = []
        for template, item in spec["paths"].items():
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                operation = Operation(op["operationId"], method.upper(), template, op)
                self.operations[operation.operation_id] = operation
                multi = {p["name"] for p in self._parameters(op) if p.get("x-multi-segment")}
                parts = []
                names: list[str] = []
                literals = 0
                for segment in template.strip("/").split("/"):
                    m = re.fullmatch(r"\{([^}]+)\}", segment)
                    if m:
                        name = m.group(1)
                        pattern = ".+" if name in multi else "[^/]+"
                        names.append(name)
                        parts.append(f"({pattern})")
                    else:
                        literals += 1
                        parts.append(re.escape(segment))
                regex = re.compile("/" + "/".join(parts))
                routes.append((literals, len(multi), regex, tuple(names), operation))
        routes.sort(key=lambda r: (-r[0], r[1]))
        self._routes = [(r[2], r[3], r[4]) for r in routes]

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> OpenAPI:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: run `npm ci --prefix tests/npm` to install @octokit/openapi"
            )
        with path.open("rb") as f:
            return cls(json.load(f))

    # ---- routing -------------------------------------------------------------------------

    def match(self, method: str, path: str) -> Match | None:
        method = method.upper()
        for regex, names, op in self._routes:
            if op.method != method:
                continue
            m = regex.fullmatch(path)
            if m:
                params = {n: unquote(v) for n, v in zip(names, m.groups(), strict=True)}
                return Match(op, params)
        return None

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    # ---- validation ----------------------------------------------------------------------

    def validate_request(
        self,
        match: Match,
        query: Mapping[str, list[str]],
        body: JSON | None,
        has_body: bool,
    ) -> list[str]:
        """Violations of the operation's parameters and request body (empty list: valid)."""
        op = match.operation
        errors: list[str] = []
        declared: dict[tuple[str, str], JSON] = {}
        for param in self._parameters(op.raw):
            declared[(param["in"], param["name"])] = param
        for name, value in match.path_params.items():
            param = declared.get(("path", name))
            if param is None:
                errors.append(f"path parameter {name!r} is not declared")
                continue
            errors += self._check_param(op, param, value)
        for name, values in query.items():
            param = declared.get(("query", name))
            if param is None:
                errors.append(f"query parameter {name!r} is not declared for {op.operation_id}")
                continue
            for value in values:
                errors += self._check_param(op, param, value)
        for (where, name), param in declared.items():
            if where == "query" and param.get("required") and name not in query:
                errors.append(f"required query parameter {name!r} is missing")
        request_body = op.raw.get("requestBody")
        if request_body is None:
            if has_body and body not in (None, {}, ""):
                errors.append(f"{op.operation_id} takes no request body")
            return errors
        if not has_body:
            if request_body.get("required"):
                errors.append(f"{op.operation_id} requires a JSON body")
            return errors
        content = request_body.get("content", {})
        media = content.get("application/json")
        if media is None:
            errors.append(f"{op.operation_id} does not accept application/json")
            return errors
        key = f"{op.operation_id}:request"
        errors += self._validate(key, media.get("schema", {}), body, "request body")
        return errors

    def validate_response(
        self, operation_id: str, status: int, body: JSON | None, has_body: bool
    ) -> list[str]:
        op = self.operations[operation_id]
        responses: Mapping[str, JSON] = op.raw["responses"]
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            response = responses.get("default")
        if response is None:
            if status in GLOBAL_STATUSES:
                return self._validate(
                    "basic-error", {"$ref": _COMPONENT_PREFIX + "basic-error"}, body, "error body"
                )
            return [f"status {status} is not declared for {op.operation_id}"]
        response = self._deref(response)
        content = response.get("content") or {}
        media = content.get("application/json")
        if media is None or "schema" not in media:
            if has_body and body not in (None, ""):
                return [f"{op.operation_id} {status} declares no body, but one was sent"]
            return []
        if not has_body:
            return [f"{op.operation_id} {status} declares a JSON body, but none was sent"]
        key = f"{op.operation_id}:{status}"
        return self._validate(key, media["schema"], body, f"response {status}")

    def validate_schema(self, name: str, instance: JSON, limit: int = 5) -> list[str]:
        """Validate against a named component schema (e.g. ``webhook-pull-request-opened``)."""
        return self._validate(name, {"$ref": _COMPONENT_PREFIX + name}, instance, name, limit)

    # ---- completing objects --------------------------------------------------------------

    def complete(self, name: str, partial: Mapping[str, JSON]) -> dict[str, JSON]:
        """``partial`` plus schema-valid placeholders for every required property it lacks.

        Handlers write the fields that matter; the long tail of required-but-irrelevant
        fields (``gravatar_id``, ``forks_url``…) is filled from the schema: null where
        nullable, the first enum value, the default, or an empty value of the right type.
        """
        out = self._fill(self._schemas[name], dict(partial), depth=0)
        assert isinstance(out, dict)
        return out

    def _fill(self, schema: JSON, value: JSON, depth: int) -> JSON:
        schema = self._resolve(schema)
        if depth > 12:
            return value
        if "allOf" in schema and isinstance(value, dict):
            for sub in schema["allOf"]:
                value = self._fill(sub, value, depth + 1)
            return value
        if not isinstance(value, dict) or schema.get("type", "object") != "object":
            return value
        props: Mapping[str, JSON] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name in value:
                sub = props.get(name)
                if sub is not None and isinstance(value[name], dict):
                    value[name] = self._fill(sub, value[name], depth + 1)
                continue
            value[name] = self._placeholder(props.get(name, {}), depth + 1)
        return value

    def _placeholder(self, schema: JSON, depth: int) -> JSON:
        schema = self._resolve(schema)
        if schema.get("nullable"):
            return None
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [self._resolve(s) for s in schema[key]]
                for opt in options:
                    if opt.get("nullable"):
                        return None
                return self._placeholder(options[0], depth)
        if "allOf" in schema:
            return self._fill(schema, {}, depth)
        if "enum" in schema:
            return schema["enum"][0]
        if "default" in schema:
            return schema["default"]
        kind = schema.get("type", "object")
        if kind == "object":
            return self._fill(schema, {}, depth)
        if kind == "array":
            return []
        if kind == "integer":
            return int(schema.get("minimum", 0))
        if kind == "number":
            return 0
        if kind == "boolean":
            return False
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2026-01-01T00:00:00Z"
        if fmt in ("uri", "uri-template", "url"):
            return "https://github.invalid/placeholder"
        if fmt == "email":
            return "placeholder@github.invalid"
        return "x" * int(schema.get("minLength", 0))

    # ---- internals -----------------------------------------------------------------------

    def _parameters(self, op: Mapping[str, JSON]) -> list[JSON]:
        return [self._deref(p) for p in op.get("parameters", [])]

    def _deref(self, obj: JSON) -> JSON:
        while isinstance(obj, dict) and "$ref" in obj:
            ref: str = obj["$ref"]
            node: JSON = self.spec
            for part in ref.removeprefix("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def _resolve(self, schema: JSON) -> JSON:
        if isinstance(schema, dict) and "$ref" in schema:
            return self._resolve(self._deref(schema))
        return schema

    def _check_param(self, op: Operation, param: Mapping[str, JSON], raw: str) -> list[str]:
        schema = self._resolve(param.get("schema", {}))
        value: JSON = raw
        kind = schema.get("type")
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", raw):
                return [f"{param['in']} parameter {param['name']!r}: {raw!r} is not an integer"]
            value = int(raw)
        elif kind == "number":
            try:
                value = float(raw)
            except ValueError:
                return [f"{param['in']} parameter {param['name']!r}: {raw!r} is not a number"]
        elif kind == "boolean":
            if raw not in ("true", "false"):
                return [f"{param['in']} parameter {param['name']!r}: {raw!r} is not a boolean"]
            value = raw == "true"
        elif kind == "array":
            value = raw.split(",")
        key = f"{op.operation_id}:{param['in']}:{param['name']}"
        return self._validate(key, param.get("schema", {}), value, f"{param['in']} {param['name']}")

    def _validate(
        self, key: str, schema: JSON, instance: JSON, what: str, limit: int = 5
    ) -> list[str]:
        validator = self._validator(key, schema)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        out = []
        for error in errors[:limit]:
            # anyOf/oneOf (nullable wrappers among them): report the branch that came closest.
            while error.context:
                # The ``type: null`` branch of a nullable wrapper never explains anything.
                useful = [
                    e
                    for e in error.context
                    if not (e.validator == "type" and e.validator_value == "null")
                ]
                error = jsonschema.exceptions.best_match(useful or error.context)
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            out.append(f"{what} at {where}: {_short(error)}")
        return out

    def _validator(self, key: str, schema: JSON) -> jsonschema.protocols.Validator:
        with self._lock:
            cached = self._validators.get(key)
            if cached is not None:
                return cached
            names: set[str] = set()
            root = self._translate(schema, names)
            defs: dict[str, JSON] = {}
            pending = list(names)
            while pending:
                name = pending.pop()
                if name in defs:
                    continue
                refs: set[str] = set()
                defs[name] = self._translate_component(name, refs)
                pending.extend(refs - defs.keys())
            if not isinstance(root, dict):
                root = {"allOf": [root]}
            root = {**root, "$defs": defs}
            validator = jsonschema.Draft202012Validator(root, format_checker=_FORMATS)
            self._validators[key] = validator
            return validator

    def _translate_component(self, name: str, refs: set[str]) -> JSON:
        cached = self._translated.get(name)
        if cached is None:
            inner: set[str] = set()
            cached = {"schema": self._translate(self._schemas[name], inner), "refs": inner}
            self._translated[name] = cached
        refs.update(cached["refs"])
        return cached["schema"]

    def _translate(self, schema: JSON, refs: set[str]) -> JSON:
        if not isinstance(schema, dict):
            return schema
        out: dict[str, JSON] = {}
        for key, value in schema.items():
            if key in _DROP_KEYS or key.startswith("x-"):
                continue
            if key == "$ref":
                if not value.startswith(_COMPONENT_PREFIX):
                    return self._translate(self._deref(schema), refs)
                name = value.removeprefix(_COMPONENT_PREFIX)
                refs.add(name)
                out["$ref"] = f"#/$defs/{name}"
            elif key in _SCHEMA_MAP_KEYS:
                out[key] = {k: self._translate(v, refs) for k, v in value.items()}
            elif key in _SCHEMA_ONE_KEYS:
                out[key] = self._translate(value, refs)
            elif key in _SCHEMA_LIST_KEYS:
                out[key] = [self._translate(v, refs) for v in value]
            else:
                out[key] = value
        if schema.get("nullable") is True:
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
            return {"anyOf": [{"type": "null"}, out]}
        return out


def _short(error: jsonschema.ValidationError) -> str:
    message = str(error.message)
    if len(message) > 300:
        message = message[:300] + "…"
    return message


def iter_operations(api: OpenAPI) -> Iterator[Operation]:
    yield from api.operations.values()
