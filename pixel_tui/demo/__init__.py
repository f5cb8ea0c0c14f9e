"""The embedded demo: a local SeaweedFS, a local "Drive", sample data and a real rclone upload."""
