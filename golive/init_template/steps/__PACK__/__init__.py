"""The __PACK__ pack's step definitions."""
