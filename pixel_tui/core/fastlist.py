"""Speed up botocore's response parsing where listings spend their time."""

from __future__ import annotations

from datetime import datetime


def fast_timestamp(value: str) -> datetime:
    """Parse S3's ISO 8601 timestamps with the C parser; fall back to botocore's for odd forms."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        from botocore.utils import parse_timestamp

        return parse_timestamp(value)


def install_fast_list_parser(session) -> None:
    """Make clients of this boto3 session parse timestamps with fast_timestamp (dateutil is slow)."""
    factory = session._session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=fast_timestamp)
