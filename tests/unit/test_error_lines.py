"""Error lines on one row: time, path and cause kept, the SDK noise gone."""

from pixel_tui.core.jobs.error_lines import tidy
from pixel_tui.core.units import rate_scale


def test_s3_noise_removed_path_and_cause_kept():
    line = ("2026/11/25 19:32:57 ERROR : f4.bin: Failed to copy: operation error S3: PutObject, https response "
            "error StatusCode: 403, RequestID: 1808, api error AccessDenied: Access Denied.")
    assert tidy(line) == "19:32:57 f4.bin: Failed to copy: PutObject, 403 AccessDenied: Access Denied."
    empty = ("2026/11/25 19:32:57.123456 [4242] ERROR : a/b c.bin: Failed to copy: operation error S3: PutObject, "
             "https response error StatusCode: 500, RequestID: , HostID: , api error InternalError: boom")
    assert tidy(empty) == "19:32:57 a/b c.bin: Failed to copy: PutObject, 500 InternalError: boom"
    assert "RequestID" not in tidy(empty) and "HostID" not in tidy(empty)


def test_other_layouts_and_secrets():
    assert tidy('{"time":"2026-11-25T19:32:57.1+00:00","level":"error","msg":"Failed to copy: x",'
                '"object":"f.bin"}') == "19:32:57 f.bin: Failed to copy: x"
    assert tidy("ERROR : f: Failed to copy: googleapi: Error 403: Rate Limit Exceeded, rateLimitExceeded") == \
        "f: Failed to copy: Error 403: Rate Limit Exceeded, rateLimitExceeded"
    assert "s3cret" not in tidy("CRITICAL: Failed to create file system for \"http://u:s3cret@h:1/x\"")


def test_rate_scale():
    assert rate_scale(300 * 1024) == (1024, "KiB/s")
    assert rate_scale(10) == (1, "B/s")
    assert rate_scale(5 * 1024 ** 2) == (1024 ** 2, "MiB/s")
