"""The billing_upgrade pack's steps."""
