"""Coded errors that services raise and views/API turn into messages and status codes."""


class ServiceError(Exception):
    """A refused action. ``code`` is stable for programs; ``message`` is the Chinese text users see."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    @property
    def messages(self) -> list[str]:
        """Every message of the refusal, for a page or a command that lists them all."""
        return [self.message]


class ValidationFailed(ServiceError):
    status = 400
    code = "invalid"

    def __init__(self, errors: dict[str, list[str]] | str, *, code: str | None = None):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        first = next(iter(errors.values()))[0]
        super().__init__(first, code=code)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


class StaleVersion(ServiceError):
    """Someone else saved the record since this form/request read it (HTTP 412)."""

    status = 412
    code = "stale_version"

    def __init__(self, *, current: int, given: int | None):
        self.current = current
        self.given = given
        seen = f"您提交的版本 {given}" if given is not None else "您提交的内容未带版本号"
        super().__init__(f"该记录已被他人修改（当前版本 {current}，{seen}）。请刷新页面，核对后重新保存。")


class TransitionError(ServiceError):
    """An illegal move in a review chain or a lifecycle (e.g. approving a draft)."""

    status = 409
    code = "illegal_transition"
