"""The one error the costing engine raises for refused input: its message names the file, the row and the rule."""


class CostingInputError(ValueError):
    """The input data set breaks a rule of the costing specification (§2.2, §11.1); nothing was written.

    The message is one line: ``<file>, line <n>: <reason>`` (line 1 is the CSV header).
    """

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
