"""Every modal: promote, upload, preview, registry entry, confirmations."""
