"""golive's exceptions.

Hierarchy::

    GoliveError                 anything golive raises on purpose
    +-- InputError              bad input; the CLI exits 2 and prints the message alone
    |   +-- ScenarioError       a scenario file: file, key path (and line), what was expected
    +-- HarnessError            golive itself could not do its job (exit 2)
    |   +-- SandboxError        the built-in sandbox did not start or answer its health check
    +-- TargetError             a system under test could not be checked (item: broken,
        |                       category "environment unreachable")
        +-- TargetUnreachable   connection refused, timeout, TLS failure
        +-- TargetResponseError 5xx, 429, a body that is not what the API promises
        +-- MutationRefused     a change to a production-tier system the scenario did not allow
        +-- ItemDeadlineExceeded an item went on past its system's ``item_deadline``

A failed check is not an exception of this module: it is ``CheckFailed`` (an
``AssertionError``, so pytest and Allure report it as "failed", a product defect).
Messages name the method, the URL (redacted), the status and the reason.
"""

from __future__ import annotations


class GoliveError(Exception):
    pass


class InputError(GoliveError):
    pass


class ScenarioError(InputError):
    def __init__(self, file: str, key: str, problem: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")
        self.file, self.key, self.problem, self.line = file, key, problem, line


class HarnessError(GoliveError):
    pass


class SandboxError(HarnessError):
    pass


class TargetError(GoliveError):
    pass


class TargetUnreachable(TargetError):
    pass


class TargetResponseError(TargetError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MutationRefused(TargetError):
    pass


class ItemDeadlineExceeded(TargetError):
    pass


class CheckFailed(AssertionError):
    """A checklist item's condition does not hold. The message says what was seen, what was
    expected, and names the subject."""
