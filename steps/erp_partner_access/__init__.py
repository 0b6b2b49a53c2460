"""The erp_partner_access pack's steps."""
