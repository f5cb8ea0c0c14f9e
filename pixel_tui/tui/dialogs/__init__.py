"""Every modal: promote, upload, preview, registry entry, prompts, undo confirmation, help.

Each loads styles/dialogs.tcss through its own CSS_PATH."""
