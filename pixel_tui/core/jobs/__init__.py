"""The monitor's engine: rclone logs and rc endpoints turned into job states, reports and uploads."""
