"""Fast listings on boto3: where a 100k-key level spends its time, and the fixes.

Profiled against SeaweedFS (100 pages of 1,000 keys): botocore spends ~85% of a listing in its
generic, shape-driven XML-to-dict walk (a Python call per node and per member), not in the XML
parser itself (expat, C) nor the network. So:

* ``FastListParser`` keeps botocore's own ElementTree parse (same entity, whitespace and
  namespace handling) but turns the tree into the response dict with a plan compiled once per
  output shape: one dict lookup and one conversion per element. Same dict shape as botocore's,
  so botocore's after-call handlers (EncodingType=url decoding) still run on it.
* The parser finds NextContinuationToken in the raw bytes first and hands it to a per-thread
  hook before parsing, so ``S3Store.iter_level`` can request page N+1 while page N is parsed.
* ``Level`` (level.py) holds an open level compactly: columns instead of one object per key.
"""

from __future__ import annotations

import re
from datetime import datetime

from botocore.parsers import ResponseParserFactory, RestXMLParser

from pixel_tui.core.storage.fastlist_fence import _hook

# Only fastlist_fence.py imports this module, and falls back to botocore's parser when it fails.
# What of botocore's internals the fast path relies on, checked before it is installed.
_NEEDS = ((RestXMLParser, ("_do_parse", "_populate_response_metadata", "_parse_non_payload_attrs",
                           "_parse_xml_string_to_dom", "_handle_string")),
          (ResponseParserFactory, ("create_parser", "set_parser_defaults")))

# Output shapes whose bodies take the compiled path; anything else goes to botocore unchanged.
FAST_SHAPES = frozenset({"ListObjectsV2Output", "ListObjectsOutput"})

_TOKEN_RE = re.compile(rb"<NextContinuationToken>([^<]*)</NextContinuationToken>")
_ROOT_RE = re.compile(rb'\s*(?:<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?\s*\?>)?\s*<(ListBucketResult)(?: xmlns="[^"]*")?>')
_SCAN_RE = re.compile(r"<(\w+)>([^<]*)</\1>|<(/?)(\w+)>")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

def fast_timestamp(value: str) -> datetime:
    """Parse S3's ISO 8601 timestamps with the C parser; fall back to botocore's for odd forms."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        from botocore.utils import parse_timestamp

        return parse_timestamp(value)


def _xml_unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref[0] == "#":
            return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
        return _ENTITIES[ref]

    if "&" not in text:
        return text
    # Quoted ETags are the common case (SeaweedFS writes &#34;): plain replaces, then the rest.
    # Replacing with '"' cannot create a new entity, so the regex pass stays exact.
    text = text.replace("&#34;", '"').replace("&quot;", '"')
    return _ENTITY_RE.sub(one, text) if "&" in text else text


def next_token_in(body: bytes) -> str | None:
    """NextContinuationToken of a raw ListObjectsV2 body, found without parsing the XML."""
    m = _TOKEN_RE.search(body)
    return _xml_unescape(m.group(1).decode("utf-8")) if m else None


class _Unsupported(Exception):
    """A shape feature the compiled plan does not handle: botocore's own parser takes it."""


_SCALARS = {"string": "s", "character": "s", "integer": "i", "long": "i", "boolean": "b",
            "timestamp": "t", "float": "f", "double": "f"}


def _xml_name(shape, member_name: str) -> str:
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        name = shape.member.serialization.get("name")
        if name is not None:
            return name
    return shape.serialization.get("name") or member_name


def _compile(shape) -> dict:
    """Plan for a structure shape: xml local name -> (member name, kind, sub-plan)."""
    plan: dict = {}
    for member_name, member in shape.members.items():
        ser = member.serialization
        if ser.get("location") or ser.get("eventheader"):
            continue
        if ser.get("xmlAttribute") or member.metadata.get("union"):
            raise _Unsupported(member_name)
        kind = member.type_name
        if kind in _SCALARS:
            plan[_xml_name(member, member_name)] = (member_name, _SCALARS[kind], None)
        elif kind == "structure":
            plan[_xml_name(member, member_name)] = (member_name, "S", _compile(member))
        elif kind == "list":
            item = member.member
            if item.type_name in _SCALARS:
                sub = ("s1", _SCALARS[item.type_name])
            elif item.type_name == "structure":
                sub = ("S1", _compile(item))
            else:
                raise _Unsupported(member_name)
            kind = "L" if member.serialization.get("flattened") else "W"
            plan[_xml_name(member, member_name)] = (member_name, kind, sub)
        else:
            raise _Unsupported(member_name)
    return plan


_PLANS: dict[str, dict | None] = {}


def _plan_for(shape) -> dict | None:
    if shape.name not in _PLANS:
        try:
            _PLANS[shape.name] = _compile(shape)
        except _Unsupported:
            _PLANS[shape.name] = None
    return _PLANS[shape.name]


class FastListParser(RestXMLParser):
    """botocore's REST-XML parser with a compiled fast path for listing responses."""

    def _do_parse(self, response, shape):
        body = response.get("body")
        if shape is not None and shape.name in FAST_SHAPES and isinstance(body, bytes):
            callback = getattr(_hook, "callback", None)
            if callback is not None:
                _hook.callback = None  # once per request: a retried request fires again itself
                token = next_token_in(body)
                if token:
                    callback(token)
            plan = _plan_for(shape)
            if plan is not None:
                parsed = {"ResponseMetadata": self._populate_response_metadata(response)}
                self._parse_non_payload_attrs(response, shape, shape.members, parsed)
                body_parsed = self._scan(plan, body)
                if body_parsed is None:  # something the scanner does not handle: let expat do it
                    body_parsed = self._struct(plan, self._parse_xml_string_to_dom(body))
                parsed.update(body_parsed)
                return parsed
        return super()._do_parse(response, shape)

    def _scan(self, plan: dict, body: bytes) -> dict | None:
        """Parse a flat listing body with one regex pass; None when it holds anything else
        (attributes, comments, CDATA, nested structures, CRs, another encoding)."""
        head = _ROOT_RE.match(body)
        if head is None or b"\r" in body or b"<![CDATA[" in body or not body.rstrip().endswith(b"</" + head.group(1) + b">"):
            return None
        try:
            inner = body[head.end() : body.rstrip().rindex(b"<")].decode("utf-8")
        except UnicodeDecodeError:
            return None
        out: dict = {}
        cur, cur_plan = out, plan
        tags = 0
        ts = self._timestamp_parser
        try:
            for name, value, slash, group in _SCAN_RE.findall(inner):
                if name:
                    tags += 2
                    entry = cur_plan.get(name)
                    if entry is None:
                        continue  # unknown elements are ignored, as botocore does
                    member, kind, sub = entry
                    if "&" in value:
                        value = _xml_unescape(value)
                    if kind == "s":
                        cur[member] = value
                    elif kind == "i":
                        cur[member] = int(value)
                    elif kind == "t":
                        cur[member] = ts(value)
                    elif kind in "bf":
                        cur[member] = self._scalar(kind, value)
                    elif kind == "L" and sub[0] == "s1":
                        cur.setdefault(member, []).append(self._scalar(sub[1], value))
                    else:
                        return None  # an empty structure or list element: rare, expat handles it
                else:
                    tags += 1
                    if slash:
                        if cur is out:
                            return None
                        cur, cur_plan = out, plan
                        continue
                    entry = plan.get(group)
                    if cur is not out or entry is None or entry[1] != "L" or entry[2][0] != "S1":
                        return None
                    cur = {}
                    out.setdefault(entry[0], []).append(cur)
                    cur_plan = entry[2][1]
        except (ValueError, KeyError):
            return None
        # Every '<' must belong to a token we understood, or the document had more than we read.
        if tags != inner.count("<") or cur is not out:
            return None
        return out

    def _scalar(self, kind: str, text: str | None):
        text = text or ""
        if kind == "s":
            return text
        if kind == "i":
            return int(text)
        if kind == "t":
            return self._timestamp_parser(text)
        if kind == "b":
            return text == "true"
        return float(text)

    def _struct(self, plan: dict, node) -> dict:
        out: dict = {}
        ts = self._timestamp_parser
        for child in node:
            tag = child.tag
            entry = plan.get(tag)
            if entry is None:
                local = tag.rpartition("}")[2]
                entry = plan.get(local)
                if entry is None:
                    continue  # unknown elements are ignored, as botocore does
                plan[tag] = entry  # namespaced tag -> same entry, resolved once
            name, kind, sub = entry
            if kind == "s":
                out[name] = child.text or ""
            elif kind == "i":
                out[name] = int(child.text or "")
            elif kind == "t":
                out[name] = ts(child.text or "")
            elif kind in "bf":
                out[name] = self._scalar(kind, child.text)
            elif kind == "S":
                out[name] = self._struct(sub, child)
            else:
                items = [child] if kind == "L" else list(child)
                lst = out.get(name) if kind == "L" else None
                if lst is None:
                    lst = out[name] = []
                if sub[0] == "S1":
                    lst.extend(self._struct(sub[1], it) for it in items)
                else:
                    lst.extend(self._scalar(sub[1], it.text) for it in items)
        return out


class FastParserFactory(ResponseParserFactory):
    """Parser factory that gives REST-XML (S3) clients the FastListParser."""

    def create_parser(self, protocol_name):
        if protocol_name == "rest-xml":
            return FastListParser(**self._defaults)
        return super().create_parser(protocol_name)


def check_botocore() -> None:
    """Raise AttributeError naming the first botocore internal this module needs and cannot find."""
    import botocore.handlers

    for cls, names in _NEEDS:
        for name in names:
            if not hasattr(cls, name):
                raise AttributeError(f"botocore {cls.__name__}.{name} is gone")
    if not hasattr(botocore.handlers, "_handle_200_error"):
        raise AttributeError("botocore.handlers._handle_200_error is gone")


def install_fast_list_parser(session) -> None:
    """Make S3 clients of this boto3 session parse listings with FastListParser and fast timestamps."""
    core = session._session
    factory = FastParserFactory()
    old = core.get_component("response_parser_factory")
    factory._defaults.update(getattr(old, "_defaults", {}))
    factory.set_parser_defaults(timestamp_parser=fast_timestamp)
    core.register_component("response_parser_factory", factory)


def _cheap_200_error(operation_model, response_dict, **kwargs):
    """botocore's 200-with-error-body check, without its second full XML parse for listings.

    botocore parses every S3 body once just to see whether the root is <Error> (or the XML is
    truncated, to retry). For a listing, a well-formed ListBucketResult start and end say the
    same; anything else goes through botocore's own check.
    """
    from botocore.handlers import _handle_200_error

    body = response_dict.get("body") if response_dict else None
    if (operation_model.name in ("ListObjectsV2", "ListObjects") and response_dict.get("status_code") == 200
            and isinstance(body, bytes) and _ROOT_RE.match(body) and body.rstrip().endswith(b"</ListBucketResult>")):
        return
    _handle_200_error(operation_model, response_dict, **kwargs)


def tune_client(client) -> None:
    """Swap botocore's per-response 200-error XML parse for the cheap check on listings."""
    from botocore.handlers import _handle_200_error

    events = client.meta.events
    events.unregister("before-parse.s3.*", _handle_200_error)
    events.register_first("before-parse.s3.*", _cheap_200_error)
