"""golive: a pytest-based go-live verification harness."""

__version__ = "0.1.0"
