"""The built-in sandbox: a separate program (``python -m golive.sandbox``).

It is the target a new user runs golive against and the system the harness's own tests
use. It is a real HTTP server on loopback (FastAPI + uvicorn) backed by a real SQLite
database, with a real SMTP server whose mail lands in a capture mailbox. Its data comes
from faker under a fixed seed, so two runs see the same partners, people and addresses.

Named faults (``faults.py``) each break exactly one checklist item in a realistic way.
Nothing in the harness imports this package except the launcher, which starts it as a
process (``golive/launcher.py``) and the ``golive sandbox`` command.
"""
