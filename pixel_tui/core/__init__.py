"""The core: config, S3 and rclone access, log parsing, registry, promotion. Never imports textual."""
