"""The partner_go_live pack's steps."""
