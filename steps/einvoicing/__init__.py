"""The einvoicing pack's steps."""
