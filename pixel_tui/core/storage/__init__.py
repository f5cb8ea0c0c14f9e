"""Storage: S3 (listing, head, ranged reads, conditional puts, server-side copies) and rclone remotes."""
